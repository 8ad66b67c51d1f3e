// Tells people from machines on opens and clicks, by the rules in machine-signatures.json
// (docs/machine-detection.md). At request time the edge knows the method, the user agent and
// the client address, which it must not store: `classifyHit`, compiled once per rule set
// (per hit kind, one combined RegExp for agents that name a service, one for generic ones,
// and one address table), so a hit costs two RegExp runs and one range lookup at most. At
// write time a batch writer knows the message's sent time and its other clicks:
// `classifyTiming` and `classifyClickBurst`.
import defaultSignatures from './machine-signatures.json';
import { buildIpRanges, type IpRanges } from './ip-ranges';

export type HitKind = 'open' | 'click';

/** What the edge knows about a hit as it arrives. */
export interface HitRequest {
  kind: HitKind;
  /** GET or HEAD. */
  method: string;
  userAgent?: string | null;
  /** The client's address: used to classify, never stored. */
  ip?: string | null;
  /** A click's destination, to recognise the honeypot link. */
  url?: string;
}

/** Human or machine, with a stable reason code (`human`, `apple-mpp`, `scanner:mimecast`, …). */
export interface Verdict {
  readonly machine: boolean;
  readonly reason: string;
}

/** The shape of machine-signatures.json (described in docs/machine-detection.md). */
export interface MachineSignatures {
  honeypotUrl: string;
  writeTime: WriteTimeRules;
  agents: readonly AgentRule[];
  ranges: readonly RangeGroup[];
}

export interface WriteTimeRules {
  /** A click sooner than this after the message was sent is a scanner's. */
  earlyClickSeconds: number;
  /** Distinct links of one message clicked within this many seconds of each other… */
  burstWindowSeconds: number;
  /** …at least this many of them, are a scanner's clicks. */
  burstMinDistinctLinks: number;
}

export interface AgentRule {
  name: string;
  /** A case-insensitive RegExp source, without capturing groups. */
  pattern: string;
  reason: string;
  /** Generic rules (tools, self-declared robots) give way to a known address range. */
  generic?: boolean;
  /** The hit kinds the rule applies to; all when absent. */
  kinds?: readonly string[];
  /** A range group whose reason replaces this rule's when the hit comes from one of its ranges. */
  fromRange?: string;
  note?: string;
  source?: string;
}

export interface RangeGroup {
  id: string;
  owner: string;
  reason: string;
  /** Whether a hit from these ranges is a machine whatever its agent (else it only confirms `fromRange` rules). */
  alone: boolean;
  cidrs: readonly string[];
  note?: string;
  source: string;
}

/** A range to add to a group of the data file at start-up, e.g. Apple's egress list as group `apple`. */
export interface ExtraRange {
  cidr: string;
  group: string;
}

interface CompiledRule {
  verdict: Verdict;
  fromRange?: string;
}

interface AgentMatcher {
  pattern: RegExp | null;
  /** The rule of each capturing group, in order. */
  rules: CompiledRule[];
}

interface CompiledGroup {
  id: string;
  alone: boolean;
  verdict: Verdict;
}

export const HUMAN: Verdict = verdict(false, 'human');
const HEAD_REQUEST = verdict(true, 'head-request');
const NO_AGENT = verdict(true, 'no-agent');
const HONEYPOT = verdict(true, 'honeypot');
const HONEYPOT_BURST = verdict(true, 'honeypot-burst');
const EARLY_CLICK = verdict(true, 'early-click');
const CLICK_BURST = verdict(true, 'click-burst');

const KINDS: readonly HitKind[] = ['open', 'click'];
const REASON_FORMAT = /^[a-z0-9-]+(?::[a-z0-9-]+)?$/;
/** Agents are free text from the wire: reading only their start bounds the RegExp work (real agents are far shorter). */
const MAX_AGENT_SCAN = 512;
const signatures = defaultSignatures as MachineSignatures;

/** The link a honeypot anchor points to: no person can see it, so whatever follows it is a machine. */
export const HONEYPOT_URL = signatures.honeypotUrl;

/** Whether a click's destination is the honeypot link. */
export function isHoneypotUrl(url: string): boolean {
  return url.startsWith(HONEYPOT_URL);
}

/** Compiles a rule set; throws naming the rule or range to fix when the data is not valid. */
export function createHitClassifier(rules: MachineSignatures, extraRanges: readonly ExtraRange[] = []): (hit: HitRequest) => Verdict {
  const groups = compileGroups(rules.ranges);
  rules.agents.forEach((rule) => checkAgentRule(rule, groups));
  const ranges = buildRanges(rules.ranges, extraRanges, groups);
  const matchers = Object.fromEntries(
    KINDS.map((kind) => [kind, { named: compileAgents(rules.agents, kind, false), generic: compileAgents(rules.agents, kind, true) }]),
  ) as Record<HitKind, { named: AgentMatcher; generic: AgentMatcher }>;

  return function classifyHit(hit) {
    if (hit.kind === 'click' && hit.url !== undefined && isHoneypotUrl(hit.url)) return HONEYPOT;
    const full = hit.userAgent ?? '';
    const agent = full.length > MAX_AGENT_SCAN ? full.slice(0, MAX_AGENT_SCAN) : full;
    const { named, generic } = matchers[hit.kind];
    const namedRule = matchAgent(named, agent);
    if (namedRule) return withRange(namedRule, namedRule.fromRange === undefined ? undefined : lookup(ranges, hit.ip));
    const group = lookup(ranges, hit.ip);
    if (group?.alone) return group.verdict;
    const genericRule = matchAgent(generic, agent);
    if (genericRule) return withRange(genericRule, group);
    if (hit.method.toUpperCase() === 'HEAD') return HEAD_REQUEST;
    return agent.trim() === '' ? NO_AGENT : HUMAN;
  };
}

/** Classifies a hit at request time by the rules of machine-signatures.json. */
export const classifyHit = createHitClassifier(signatures);

/** A click sooner after its message was sent than `earlyClickSeconds` is a scanner's (at delivery, before anyone could read it). */
export function classifyTiming(hit: { kind: HitKind; at: number; sentAt?: number | null }, rules: WriteTimeRules = signatures.writeTime): Verdict {
  if (hit.kind !== 'click' || hit.sentAt == null) return HUMAN;
  // A click stamped before the send is clock skew between planes, or a scanner: never a reader.
  return hit.at - hit.sentAt < rules.earlyClickSeconds * 1000 ? EARLY_CLICK : HUMAN;
}

/** One click of a message, for the write-time rules. */
export interface MessageClick {
  url: string;
  /** Epoch ms. */
  at: number;
}

/**
 * A verdict for each of one message's clicks (same order): the honeypot link, clicks within
 * `burstWindowSeconds` of a honeypot click, and clicks in a window holding at least
 * `burstMinDistinctLinks` distinct links are machines; the rest are human as far as timing goes.
 */
export function classifyClickBurst(clicks: readonly MessageClick[], rules: WriteTimeRules = signatures.writeTime): Verdict[] {
  const verdicts = clicks.map((click) => (isHoneypotUrl(click.url) ? HONEYPOT : HUMAN));
  const order = clicks.map((_, i) => i).sort((a, b) => clicks[a]!.at - clicks[b]!.at);
  const windowMs = rules.burstWindowSeconds * 1000;
  markHoneypotCompanions(clicks, order, verdicts, windowMs);
  markBursts(clicks, order, verdicts, windowMs, rules.burstMinDistinctLinks);
  return verdicts;
}

function markHoneypotCompanions(clicks: readonly MessageClick[], order: number[], verdicts: Verdict[], windowMs: number): void {
  order.forEach((index, position) => {
    if (verdicts[index] !== HONEYPOT) return;
    const at = clicks[index]!.at;
    for (const step of [-1, 1]) {
      for (let k = position + step; k >= 0 && k < order.length && Math.abs(clicks[order[k]!]!.at - at) <= windowMs; k += step) {
        if (verdicts[order[k]!] === HUMAN) verdicts[order[k]!] = HONEYPOT_BURST;
      }
    }
  });
}

/** A sliding window over the clicks in time order, counting the distinct links inside it. */
function markBursts(clicks: readonly MessageClick[], order: number[], verdicts: Verdict[], windowMs: number, minDistinct: number): void {
  const inWindow = new Map<string, number>();
  let left = 0;
  let markedTo = -1;
  for (let right = 0; right < order.length; right++) {
    const click = clicks[order[right]!]!;
    inWindow.set(click.url, (inWindow.get(click.url) ?? 0) + 1);
    for (; click.at - clicks[order[left]!]!.at > windowMs; left++) {
      const url = clicks[order[left]!]!.url;
      const remaining = inWindow.get(url)! - 1;
      if (remaining === 0) inWindow.delete(url);
      else inWindow.set(url, remaining);
    }
    if (inWindow.size < minDistinct) continue;
    for (let k = Math.max(left, markedTo + 1); k <= right; k++) {
      if (verdicts[order[k]!] === HUMAN) verdicts[order[k]!] = CLICK_BURST;
    }
    markedTo = right;
  }
}

function verdict(machine: boolean, reason: string): Verdict {
  return Object.freeze({ machine, reason });
}

function checkReason(reason: string, where: string): void {
  if (!REASON_FORMAT.test(reason)) throw new Error(`${where}: reason "${reason}" must be a lower-case code like "scanner:mimecast" (letters, digits, dashes, one optional colon)`);
}

function compileGroups(ranges: readonly RangeGroup[]): Map<string, CompiledGroup> {
  const groups = new Map<string, CompiledGroup>();
  for (const group of ranges) {
    const where = `machine signatures: range group "${group.id}"`;
    if (groups.has(group.id)) throw new Error(`${where} is listed twice: give each group its own id`);
    checkReason(group.reason, where);
    if (!group.source) throw new Error(`${where} has no source: cite where its owner documents these ranges`);
    groups.set(group.id, { id: group.id, alone: group.alone, verdict: verdict(true, group.reason) });
  }
  return groups;
}

function buildRanges(ranges: readonly RangeGroup[], extra: readonly ExtraRange[], groups: Map<string, CompiledGroup>): IpRanges<CompiledGroup> {
  const entries = ranges.flatMap((group) => group.cidrs.map((cidr) => ({ cidr, value: groups.get(group.id)! })));
  for (const { cidr, group } of extra) {
    const value = groups.get(group);
    if (!value) throw new Error(`machine signatures: extra range ${cidr} names group "${group}", which is not one of: ${[...groups.keys()].join(', ')}`);
    entries.push({ cidr, value });
  }
  try {
    return buildIpRanges(entries);
  } catch (err) {
    throw new Error(`machine signatures: ${(err as Error).message}`);
  }
}

function checkAgentRule(rule: AgentRule, groups: Map<string, CompiledGroup>): void {
  const where = `machine signatures: agent rule "${rule.name}"`;
  checkReason(rule.reason, where);
  let groupCount: number;
  try {
    groupCount = new RegExp(`${rule.pattern}|`).exec('')!.length - 1;
  } catch (err) {
    throw new Error(`${where}: pattern is not a valid RegExp (${(err as Error).message})`);
  }
  if (groupCount > 0) throw new Error(`${where}: pattern has a capturing group: write (?:…) instead of (…)`);
  const badKind = rule.kinds?.find((kind) => !KINDS.includes(kind as HitKind));
  if (badKind !== undefined) throw new Error(`${where}: kind "${badKind}" is not one of ${KINDS.join(', ')}`);
  if (rule.fromRange !== undefined && !groups.has(rule.fromRange)) throw new Error(`${where}: fromRange "${rule.fromRange}" is not a range group id`);
}

/** One RegExp of every rule for `kind` in a tier, each rule its own capturing group: the leftmost match wins, the earlier rule on a tie. */
function compileAgents(rules: readonly AgentRule[], kind: HitKind, generic: boolean): AgentMatcher {
  const chosen = rules.filter((rule) => Boolean(rule.generic) === generic && (!rule.kinds || rule.kinds.includes(kind)));
  return {
    pattern: chosen.length ? new RegExp(chosen.map((rule) => `(${rule.pattern})`).join('|'), 'i') : null,
    rules: chosen.map((rule) => ({ verdict: verdict(true, rule.reason), ...(rule.fromRange ? { fromRange: rule.fromRange } : {}) })),
  };
}

function matchAgent(matcher: AgentMatcher, agent: string): CompiledRule | undefined {
  const match = agent === '' ? null : matcher.pattern?.exec(agent);
  if (!match) return undefined;
  for (let i = 1; i < match.length; i++) if (match[i] !== undefined) return matcher.rules[i - 1];
  return undefined;
}

function lookup(ranges: IpRanges<CompiledGroup>, ip: string | null | undefined): CompiledGroup | undefined {
  return ip ? ranges.lookup(ip) : undefined;
}

function withRange(rule: CompiledRule, group: CompiledGroup | undefined): Verdict {
  return group !== undefined && group.id === rule.fromRange ? group.verdict : rule.verdict;
}
