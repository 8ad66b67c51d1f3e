// Micro-benchmark of telling people from machines: ns per classifyHit call (it runs on every
// pixel and click at the edge) for the common kinds of hit, a range lookup in a table the size
// of Apple's egress list, and the write-time burst rule on one message's clicks. Not a test.
// Run: npx tsx bench/classify-hit.ts
import { classifyClickBurst, classifyHit, type HitRequest } from '../shared/tracking/classify-hit';
import { buildIpRanges } from '../shared/tracking/ip-ranges';
import { measure } from './measure';

const BATCH = 1_000; // calls per timed run: measure's µs per run is then ns per call
const RUNS = 2_000;

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const cases: [string, HitRequest][] = [
  ['person, Chrome, IPv4', { kind: 'open', method: 'GET', userAgent: CHROME, ip: '203.0.113.9' }],
  ['person, iPhone Mail, IPv6', { kind: 'open', method: 'GET', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148', ip: '2001:db8:4:2::9' }],
  ['Apple MPP (bare agent, Apple range)', { kind: 'open', method: 'GET', userAgent: 'Mozilla/5.0', ip: '17.58.100.1' }],
  ['Gmail image proxy (agent)', { kind: 'open', method: 'GET', userAgent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)', ip: '66.249.84.10' }],
  ['Safe Links (browser agent, EOP IPv6)', { kind: 'click', method: 'GET', userAgent: CHROME, ip: '2a01:111:f403:c10c::1' }],
  ['Googlebot (generic agent)', { kind: 'click', method: 'GET', userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', ip: '203.0.113.9' }],
];

let sink = 0;
async function nsPerCall(run: (i: number) => unknown): Promise<number> {
  const { wallUs } = await measure(RUNS, (r) => {
    for (let i = 0; i < BATCH; i++) if (run(r * BATCH + i)) sink++;
  });
  return wallUs;
}

console.log(`classifyHit, ${RUNS * BATCH} calls per case:`);
for (const [label, hit] of cases) console.log(`  ${label.padEnd(40)} ${(await nsPerCall(() => classifyHit(hit).machine)).toFixed(1)} ns/call`);
console.log(`  ${'all of the above, in turn'.padEnd(40)} ${(await nsPerCall((i) => classifyHit(cases[i % cases.length]![1]).machine)).toFixed(1)} ns/call`);

// Apple's egress-ip-ranges.csv holds tens of thousands of prefixes: a table that size still answers in one binary search.
const PREFIXES = 60_000;
const started = performance.now();
const big = buildIpRanges(
  Array.from({ length: PREFIXES }, (_, i) =>
    i % 2 ? { cidr: `2001:db8:${(i % 65536).toString(16)}:${(i >> 16).toString(16)}::/64`, value: i } : { cidr: `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`, value: i },
  ),
);
const buildMs = performance.now() - started;
const probes = ['10.0.7.9', '198.51.100.1', '2001:db8:1b:0::5', '2001:db9::1'];
console.log(`range table of ${PREFIXES} prefixes: built in ${buildMs.toFixed(0)} ms; lookup ${(await nsPerCall((i) => big.lookup(probes[i % probes.length]!) !== undefined)).toFixed(1)} ns/call`);

const t0 = Date.now();
const clicks = Array.from({ length: 20 }, (_, i) => ({ url: `https://shop.example/${i % 12}`, at: t0 + i * 700 }));
console.log(`classifyClickBurst, 20 clicks of one message: ${(await nsPerCall(() => classifyClickBurst(clicks).length)).toFixed(1)} ns/call`);
if (sink < 0) console.log(sink);
