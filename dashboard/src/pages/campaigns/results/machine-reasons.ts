// Machine-hit reason codes (docs/machine-detection.md) in words a marketer reads, and the
// opens and clicks of each reason side by side.
const REASONS: Record<string, string> = {
  'apple-mpp': 'Apple Mail Privacy Protection (loads every message at delivery)',
  'gmail-proxy': 'Gmail image proxy',
  'yahoo-proxy': 'Yahoo image proxy',
  'head-request': 'Link probed without being opened (HEAD request)',
  'no-agent': 'No browser or mail client named',
  honeypot: 'Hidden trap link followed',
  'honeypot-burst': 'Clicked together with a hidden trap link',
  'early-click': 'Clicked seconds after delivery, before anyone could read it',
  'click-burst': 'Several links clicked at once',
};

/** A reason code as words: `scanner:mimecast` → "Security scanner (mimecast)". */
export function describeReason(code: string): string {
  const known = REASONS[code];
  if (known) return known;
  const [kind, name] = code.split(':');
  if (kind === 'scanner') return `Security scanner (${name ?? 'unknown'})`;
  if (kind === 'bot-agent') return `Bot or link preview (${name ?? 'unknown'})`;
  if (kind === 'relay') return `Machine, as the relay reported (${name ?? 'unknown'})`;
  return code;
}

export interface ReasonRow {
  code: string;
  opens: number;
  clicks: number;
}

/** One row per reason found in either tally, most hits first. */
export function reasonRows(opens: Record<string, number>, clicks: Record<string, number>): ReasonRow[] {
  const codes = new Set([...Object.keys(opens), ...Object.keys(clicks)]);
  return [...codes]
    .map((code) => ({ code, opens: opens[code] ?? 0, clicks: clicks[code] ?? 0 }))
    .sort((a, b) => b.opens + b.clicks - (a.opens + a.clicks) || a.code.localeCompare(b.code));
}
