import { describe, expect, it } from 'vitest';
import { buildIpRanges, parseIp } from './ip-ranges';
import { seededRandom } from '../../test/helpers/seeded-random';

const words = (...w: number[]) => Uint32Array.from(w);

describe('parseIp', () => {
  it('reads IPv4 addresses as uint32', () => {
    expect(parseIp('0.0.0.0')).toBe(0);
    expect(parseIp('1.2.3.4')).toBe(0x01020304);
    expect(parseIp('255.255.255.255')).toBe(0xffffffff);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', '1.2.3.', ' 1.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1.2.3.4/24'])(
    'refuses %j as an IPv4 address',
    (text) => expect(parseIp(text)).toBeNull(),
  );

  it('reads IPv6 addresses, full and compressed, as four words', () => {
    expect(parseIp('2001:0db8:0000:0000:0000:0000:0000:0001')).toEqual(words(0x20010db8, 0, 0, 1));
    expect(parseIp('2001:db8::1')).toEqual(words(0x20010db8, 0, 0, 1));
    expect(parseIp('::')).toEqual(words(0, 0, 0, 0));
    expect(parseIp('::1')).toEqual(words(0, 0, 0, 1));
    expect(parseIp('2a01:111:F403::')).toEqual(words(0x2a010111, 0xf4030000, 0, 0));
    expect(parseIp('1:2:3:4:5:6:7:8')).toEqual(words(0x00010002, 0x00030004, 0x00050006, 0x00070008));
    expect(parseIp('64:ff9b::192.0.2.33')).toEqual(words(0x0064ff9b, 0, 0, 0xc0000221));
    expect(parseIp('fe80::1%eth0')).toEqual(words(0xfe800000, 0, 0, 1));
  });

  it('reads an IPv4-mapped IPv6 address as the IPv4 address it carries', () => {
    expect(parseIp('::ffff:40.107.1.2')).toBe(parseIp('40.107.1.2'));
    expect(parseIp('::FFFF:286b:0102')).toBe(parseIp('40.107.1.2'));
    expect(parseIp('0:0:0:0:0:ffff:1.2.3.4')).toBe(0x01020304);
  });

  it.each([':', ':::', '1::2::3', ':1::', '1::2:', '12345::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '::1.2.3', 'g::1', '[::1]', '1:2:3:4:5:6:7:1.2.3.4'])(
    'refuses %j as an IPv6 address',
    (text) => expect(parseIp(text)).toBeNull(),
  );

  it('refuses text longer than any address without reading it', () => {
    expect(parseIp(`::${'0:'.repeat(40)}1`)).toBeNull();
  });
});

describe('buildIpRanges', () => {
  const ranges = buildIpRanges([
    { cidr: '10.0.0.0/8', value: 'outer' },
    { cidr: '10.1.0.0/16', value: 'inner' },
    { cidr: '10.1.2.0/24', value: 'innermost' },
    { cidr: '192.0.2.128/25', value: 'half' },
    { cidr: '2001:db8::/32', value: 'v6-outer' },
    { cidr: '2001:db8:1::/48', value: 'v6-inner' },
    { cidr: '2a01:111:f403::/48', value: 'eop' },
    { cidr: '203.0.113.7/32', value: 'host' },
    { cidr: '2001:db8:ffff::1/128', value: 'v6-host' },
  ]);

  it('finds an address at both ends of a range, and not one past them', () => {
    expect(ranges.lookup('192.0.2.128')).toBe('half');
    expect(ranges.lookup('192.0.2.255')).toBe('half');
    expect(ranges.lookup('192.0.2.127')).toBeUndefined();
    expect(ranges.lookup('192.0.3.0')).toBeUndefined();
    expect(ranges.lookup('203.0.113.7')).toBe('host');
    expect(ranges.lookup('203.0.113.8')).toBeUndefined();
  });

  it('answers the most specific of nested ranges', () => {
    expect(ranges.lookup('10.0.0.0')).toBe('outer');
    expect(ranges.lookup('10.1.0.0')).toBe('inner');
    expect(ranges.lookup('10.1.2.3')).toBe('innermost');
    expect(ranges.lookup('10.1.3.0')).toBe('inner');
    expect(ranges.lookup('10.2.0.0')).toBe('outer');
    expect(ranges.lookup('10.255.255.255')).toBe('outer');
    expect(ranges.lookup('11.0.0.0')).toBeUndefined();
  });

  it('matches IPv6 ranges, nested and single hosts', () => {
    expect(ranges.lookup('2001:db8::5')).toBe('v6-outer');
    expect(ranges.lookup('2001:db8:1:ffff::')).toBe('v6-inner');
    expect(ranges.lookup('2001:db8:2::')).toBe('v6-outer');
    expect(ranges.lookup('2001:db8:ffff::1')).toBe('v6-host');
    expect(ranges.lookup('2001:db8:ffff::2')).toBe('v6-outer');
    expect(ranges.lookup('2a01:111:f403:ffff:ffff:ffff:ffff:ffff')).toBe('eop');
    expect(ranges.lookup('2a01:111:f404::')).toBeUndefined();
    expect(ranges.lookup('2001:db9::')).toBeUndefined();
  });

  it('looks up an IPv4-mapped address among the IPv4 ranges, never the IPv6 ones', () => {
    expect(ranges.lookup('::ffff:10.1.2.3')).toBe('innermost');
    expect(ranges.lookup('::ffff:198.51.100.1')).toBeUndefined();
  });

  it('answers nothing for text that is not an address', () => {
    expect(ranges.lookup('')).toBeUndefined();
    expect(ranges.lookup('unknown')).toBeUndefined();
    expect(ranges.lookup('10.1.2.3, 10.0.0.1')).toBeUndefined();
  });

  it('lets the later of two equal prefixes win, and an empty table find nothing', () => {
    const twice = buildIpRanges([
      { cidr: '198.51.100.0/24', value: 'first' },
      { cidr: '198.51.100.0/24', value: 'second' },
    ]);
    expect(twice.lookup('198.51.100.9')).toBe('second');
    expect(buildIpRanges([]).lookup('198.51.100.9')).toBeUndefined();
  });

  it('covers everything with /0 prefixes', () => {
    const all = buildIpRanges([
      { cidr: '0.0.0.0/0', value: 'any4' },
      { cidr: '::/0', value: 'any6' },
    ]);
    expect(all.lookup('255.255.255.255')).toBe('any4');
    expect(all.lookup('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe('any6');
  });

  it.each([
    ['10.0.0.1/8', /bits set past \/8/],
    ['2001:db8::1/32', /bits set past \/32/],
    ['10.0.0.0/33', /not a CIDR range/],
    ['2001:db8::/129', /not a CIDR range/],
    ['10.0.0.0', /not a CIDR range/],
    ['10.0.0.0/', /not a CIDR range/],
    ['10.0.0/8', /not a CIDR range/],
    ['10.0.0.0/+8', /not a CIDR range/],
  ])('refuses the CIDR %s and says what to fix', (cidr, message) => {
    expect(() => buildIpRanges([{ cidr, value: 1 }])).toThrow(message);
  });

  it('agrees with a plain scan of every prefix on random ranges and addresses', () => {
    const random = seededRandom(7);
    const prefixes = Array.from({ length: 300 }, (_, i) => {
      const bits = 8 + Math.floor(random() * 25);
      const base = Math.floor(random() * 2 ** 32);
      const start = Number((BigInt(base) >> BigInt(32 - bits)) << BigInt(32 - bits));
      return { start, end: start + 2 ** (32 - bits) - 1, bits, value: i };
    });
    const table = buildIpRanges(prefixes.map((p) => ({ cidr: `${dotted(p.start)}/${p.bits}`, value: p.value })));
    for (let n = 0; n < 5000; n++) {
      const address = (n % 2 ? Math.floor(random() * 2 ** 32) : prefixes[n % prefixes.length]!.start + Math.floor(random() * 300)) % 2 ** 32;
      // The most specific prefix holding the address; among equal ones, the later.
      const expected = prefixes
        .filter((p) => p.start <= address && address <= p.end)
        .reduce<(typeof prefixes)[number] | undefined>((best, p) => (!best || p.bits >= best.bits ? p : best), undefined);
      expect(table.lookup(dotted(address))).toBe(expected?.value);
    }
  });
});

function dotted(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}
