// Address ranges (CIDR, IPv4 and IPv6) matched on every tracking hit. Prefixes are parsed
// once and flattened into sorted segments that do not overlap (where prefixes nest, the most
// specific one wins), so a lookup is one parse and one binary search, whatever the number of
// prefixes. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, as Node reports an IPv4 peer on a
// dual-stack socket) is looked up as the IPv4 address it carries.

/** One prefix and what it stands for. */
export interface RangeEntry<T> {
  cidr: string;
  value: T;
}

export interface IpRanges<T> {
  /** The value of the most specific prefix holding `ip`; undefined when none does or `ip` is not an address. */
  lookup(ip: string): T | undefined;
}

interface Table<T> {
  /** First and last address of each segment, `words` uint32s each, big-endian. */
  starts: Uint32Array;
  ends: Uint32Array;
  values: T[];
}

interface Prefix<T> {
  start: bigint;
  end: bigint;
  value: T;
  order: number;
}

/** The longest text an address can take (an IPv6 address with an IPv4 tail and a zone). */
const MAX_ADDRESS = 64;

/** Builds the lookup; throws a RangeError naming the CIDR that is malformed or has host bits set. */
export function buildIpRanges<T>(entries: Iterable<RangeEntry<T>>): IpRanges<T> {
  const v4: Prefix<T>[] = [];
  const v6: Prefix<T>[] = [];
  for (const { cidr, value } of entries) {
    const { family, start, end } = parseCidr(cidr);
    (family === 4 ? v4 : v6).push({ start, end, value, order: v4.length + v6.length });
  }
  const table4 = toTable(flatten(v4), 1);
  const table6 = toTable(flatten(v6), 4);
  return {
    lookup: function lookupAddress(ip) {
      const address = parseIp(ip);
      if (address === null) return undefined;
      return typeof address === 'number' ? find4(table4, address) : find6(table6, address);
    },
  };
}

/**
 * An IPv4 address as a uint32, an IPv6 address as four big-endian uint32 words (an
 * IPv4-mapped one as its IPv4 uint32), or null for anything else. Strict: no leading zeros
 * in IPv4 parts (they read as octal elsewhere), no brackets; an IPv6 zone (`%eth0`) is ignored.
 */
export function parseIp(text: string): number | Uint32Array | null {
  if (text.length > MAX_ADDRESS) return null;
  if (text.includes(':')) {
    const words = parseIPv6(text);
    if (words && words[0] === 0 && words[1] === 0 && words[2] === 0xffff) return words[3]!;
    return words;
  }
  const v4 = parseIPv4(text, 0, text.length);
  return v4 < 0 ? null : v4;
}

function parseIPv4(text: string, from: number, to: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? value * 256 + part : -1;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The eight 16-bit groups of an IPv6 address, or null. */
function ipv6Groups(text: string): { groups: number[]; gap: number } | null {
  const zone = text.indexOf('%');
  const end = zone === -1 ? text.length : zone;
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let j = i;
    let value = 0;
    for (let d; j < end && (d = hexDigit(text.charCodeAt(j))) >= 0; j++) value = value * 16 + d;
    if (j < end && text.charCodeAt(j) === 46) {
      // A dotted IPv4 tail is the last two groups.
      const v4 = parseIPv4(text, i, end);
      if (v4 < 0 || groups.length > 6) return null;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      break;
    }
    if (j === i || j - i > 4) return null;
    groups.push(value);
    if (j === end) break;
    if (text.charCodeAt(j) !== 58) return null;
    if (text.charCodeAt(j + 1) === 58) {
      if (gap !== -1) return null;
      gap = groups.length;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === end) return null;
    }
  }
  if (gap === -1 ? groups.length !== 8 : groups.length > 7) return null;
  return { groups, gap };
}

function parseIPv6(text: string): Uint32Array | null {
  const parsed = ipv6Groups(text);
  if (!parsed) return null;
  const { groups, gap } = parsed;
  const zeros = 8 - groups.length;
  const words = new Uint32Array(4);
  for (let k = 0; k < 8; k++) {
    const group = gap === -1 || k < gap ? groups[k]! : k < gap + zeros ? 0 : groups[k - zeros]!;
    words[k >> 1] = words[k >> 1]! + (k & 1 ? group : group * 65536);
  }
  return words;
}

function parseCidr(cidr: string): { family: 4 | 6; start: bigint; end: bigint } {
  const slash = cidr.indexOf('/');
  const text = slash === -1 ? '' : cidr.slice(0, slash);
  const bitsText = slash === -1 ? '' : cidr.slice(slash + 1);
  const family = text.includes(':') ? 6 : 4;
  const width = family === 4 ? 32 : 128;
  const bits = /^[0-9]{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  const words = family === 6 ? parseIPv6(text) : null;
  const v4 = family === 4 ? parseIPv4(text, 0, text.length) : -1;
  if (!(bits <= width) || (family === 6 ? !words : v4 < 0)) {
    throw new RangeError(`"${cidr}" is not a CIDR range: write an IPv4 or IPv6 address, a slash and a prefix length (e.g. 192.0.2.0/24, 2001:db8::/32)`);
  }
  const start = words ? words.reduce((acc, word) => (acc << 32n) | BigInt(word), 0n) : BigInt(v4);
  const hostMask = (1n << BigInt(width - bits)) - 1n;
  if (start & hostMask) throw new RangeError(`"${cidr}" has address bits set past /${bits}: write the first address of the range`);
  return { family, start, end: start | hostMask };
}

/**
 * Non-overlapping segments from prefixes that are nested or disjoint (CIDR prefixes always
 * are): a sweep in address order with a stack of the prefixes the sweep is inside, where the
 * innermost one owns each stretch. Two equal prefixes: the later one listed wins.
 */
function flatten<T>(prefixes: Prefix<T>[]): Prefix<T>[] {
  prefixes.sort((a, b) => (a.start !== b.start ? (a.start < b.start ? -1 : 1) : a.end !== b.end ? (a.end > b.end ? -1 : 1) : a.order - b.order));
  const segments: Prefix<T>[] = [];
  const emit = (start: bigint, end: bigint, value: T) => {
    const last = segments.at(-1);
    if (last && last.value === value && last.end + 1n === start) last.end = end;
    else segments.push({ start, end, value, order: segments.length });
  };
  const open: Prefix<T>[] = [];
  let cursor = 0n;
  const close = () => {
    const top = open.pop()!;
    if (cursor <= top.end) emit(cursor, top.end, top.value);
    cursor = top.end + 1n;
  };
  for (const prefix of prefixes) {
    while (open.length && open.at(-1)!.end < prefix.start) close();
    if (open.length && cursor < prefix.start) emit(cursor, prefix.start - 1n, open.at(-1)!.value);
    open.push(prefix);
    cursor = prefix.start;
  }
  while (open.length) close();
  return segments;
}

function toTable<T>(segments: Prefix<T>[], words: 1 | 4): Table<T> {
  const starts = new Uint32Array(segments.length * words);
  const ends = new Uint32Array(segments.length * words);
  segments.forEach((segment, i) => {
    for (let k = 0; k < words; k++) {
      const shift = BigInt(32 * (words - 1 - k));
      starts[i * words + k] = Number((segment.start >> shift) & 0xffffffffn);
      ends[i * words + k] = Number((segment.end >> shift) & 0xffffffffn);
    }
  });
  return { starts, ends, values: segments.map((s) => s.value) };
}

function find4<T>(table: Table<T>, address: number): T | undefined {
  const { starts, ends, values } = table;
  let lo = 0;
  let hi = values.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= address) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found >= 0 && address <= ends[found]! ? values[found] : undefined;
}

/** Compares a 4-word address with the 4-word entry at `index` of `words`. */
function compare6(address: Uint32Array, words: Uint32Array, index: number): number {
  for (let k = 0; k < 4; k++) {
    const a = address[k]!;
    const b = words[index * 4 + k]!;
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

function find6<T>(table: Table<T>, address: Uint32Array): T | undefined {
  const { starts, ends, values } = table;
  let lo = 0;
  let hi = values.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (compare6(address, starts, mid) >= 0) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found >= 0 && compare6(address, ends, found) <= 0 ? values[found] : undefined;
}
