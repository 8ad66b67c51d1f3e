import { describe, expect, it } from 'vitest';
import signatures from './machine-signatures.json';
import {
  HONEYPOT_URL,
  HUMAN,
  classifyClickBurst,
  classifyHit,
  classifyTiming,
  createHitClassifier,
  type HitKind,
  type MachineSignatures,
} from './classify-hit';

const data = signatures as MachineSignatures;
const { earlyClickSeconds, burstWindowSeconds, burstMinDistinctLinks } = data.writeTime;

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
/** Addresses in documentation ranges (RFC 5737, RFC 3849): in no list, as a reader at home would be. */
const HOME_V4 = '203.0.113.9';
const HOME_V6 = '2001:db8::42';

const open = (userAgent: string | undefined, ip: string = HOME_V4) => classifyHit({ kind: 'open', method: 'GET', userAgent, ip });
const click = (userAgent: string | undefined, ip: string = HOME_V4) => classifyHit({ kind: 'click', method: 'GET', userAgent, ip, url: 'https://shop.example/a' });

/** A real (or, for scanners that name themselves, telling) agent for every rule, with the kind it is seen on. */
const agentExamples: Record<string, [HitKind, string, string]> = {
  'Apple Mail Privacy Protection': ['open', 'Mozilla/5.0', 'bot-agent:bare-mozilla'],
  'Gmail image proxy': ['open', 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)', 'gmail-proxy'],
  'Yahoo Mail image proxy': ['open', 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html', 'yahoo-proxy'],
  'Microsoft Office link check': ['click', 'Mozilla/4.0 (compatible; ms-office; MSOffice 16)', 'bot-agent:ms-office'],
  'Bing / Outlook.com link preview': ['click', `${CHROME} BingPreview/1.0b`, 'bot-agent:bingpreview'],
  'Skype / Teams link preview': ['click', 'Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5', 'bot-agent:skype-preview'],
  Mimecast: ['click', 'Mozilla/5.0 (compatible; Mimecast URL Protect)', 'scanner:mimecast'],
  'Proofpoint (URL Defense)': ['click', 'Proofpoint-URLDefense/2.0', 'scanner:proofpoint'],
  Barracuda: ['click', 'Barracuda Sentinel (EE)', 'scanner:barracuda'],
  'Cisco IronPort': ['click', 'Mozilla/5.0 (compatible; IronPort URL filter)', 'scanner:cisco'],
  Sophos: ['open', 'Sophos Email Scanner', 'scanner:sophos'],
  'Trend Micro': ['click', 'Mozilla/5.0 (compatible; Trend Micro Email Security)', 'scanner:trendmicro'],
  'Symantec / Broadcom': ['click', 'Symantec Email Security.cloud link check', 'scanner:symantec'],
  'Fortinet FortiGuard': ['click', 'FortiGuard web filter', 'scanner:fortinet'],
  'Check Point': ['click', 'Check Point Harmony Email link scan', 'scanner:checkpoint'],
  Bitdefender: ['click', 'Bitdefender TrafficLight', 'scanner:bitdefender'],
  Kaspersky: ['click', 'Kaspersky Security for Mail Server', 'scanner:kaspersky'],
  'Slack link expander and image proxy': ['click', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', 'bot-agent:slackbot'],
  'Twitter / X card fetcher': ['click', 'Twitterbot/1.0', 'bot-agent:twitterbot'],
  'Facebook / iMessage link preview': ['click', 'facebookexternalhit/1.1 Facebot Twitterbot/1.0', 'bot-agent:facebook'],
  'LinkedIn link preview': ['click', 'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)', 'bot-agent:linkedinbot'],
  'WhatsApp link preview': ['click', 'WhatsApp/2.23.20.0 A', 'bot-agent:whatsapp'],
  'Telegram link preview': ['click', 'TelegramBot (like TwitterBot)', 'bot-agent:telegrambot'],
  'Discord link preview': ['click', 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)', 'bot-agent:discordbot'],
  'Headless browsers': ['open', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36', 'bot-agent:headless'],
  curl: ['click', 'curl/8.5.0', 'bot-agent:curl'],
  Wget: ['click', 'Wget/1.21.4', 'bot-agent:wget'],
  'Python HTTP clients': ['click', 'python-requests/2.31.0', 'bot-agent:python'],
  'Go HTTP client': ['click', 'Go-http-client/1.1', 'bot-agent:go'],
  'Java HTTP clients': ['open', 'Java/17.0.2', 'bot-agent:java'],
  'Bare Mozilla/5.0': ['click', 'Mozilla/5.0', 'bot-agent:bare-mozilla'],
  'Self-declared robots': ['click', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot-agent:generic'],
};

/** An address inside every range group, and what a browser agent from it is. */
const rangeExamples: Record<string, [string[], string]> = {
  apple: [['17.0.0.1', '17.255.255.255'], 'human'],
  'google-proxy': [['66.102.8.1', '66.249.84.10', '66.249.95.255'], 'gmail-proxy'],
  'microsoft-eop': [['40.92.0.1', '40.107.212.5', '52.103.255.1', '104.47.127.255', '::ffff:104.47.1.1', '2a01:111:f400:7e00::1', '2a01:111:f403:c10c::1'], 'scanner:microsoft'],
  mimecast: [['205.139.110.40', '41.74.205.1', '185.58.84.93', '103.96.22.255'], 'scanner:mimecast'],
  proofpoint: [['67.231.150.2', '208.84.67.255', '209.66.100.64'], 'scanner:proofpoint'],
  barracuda: [['209.222.80.0', '209.222.87.255'], 'scanner:barracuda'],
};

describe('the data file', () => {
  it('has an example here for every agent rule and every range group', () => {
    expect(data.agents.map((rule) => rule.name).sort()).toEqual(Object.keys(agentExamples).sort());
    expect(data.ranges.map((group) => group.id).sort()).toEqual(Object.keys(rangeExamples).sort());
  });

  it('cites a source for every range group', () => {
    for (const group of data.ranges) expect(group.source, group.id).toMatch(/https:\/\//);
  });
});

describe('classifyHit: agents', () => {
  it.each(Object.entries(agentExamples))('%s', (_name, [kind, userAgent, reason]) => {
    expect(classifyHit({ kind, method: 'GET', userAgent, ip: HOME_V4 })).toEqual({ machine: true, reason });
  });

  it.each([
    ['Chrome on Windows', CHROME],
    ['Apple Mail on macOS, MPP off', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)'],
    ['Mail on iPhone, MPP off', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148'],
    ['Outlook for Windows', 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)'],
    ['Thunderbird', 'Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.10.1'],
    ['a Cubot phone, whose model ends in "bot"', 'Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36'],
  ])('takes %s for a person, on opens and clicks', (_name, userAgent) => {
    expect(open(userAgent)).toEqual(HUMAN);
    expect(click(userAgent, HOME_V6)).toEqual(HUMAN);
  });

  it('applies a rule only to the hit kinds it names', () => {
    // Outlook for Windows probes clicked links as ms-office, but that agent loading images is the reader's.
    const msOffice = 'Mozilla/4.0 (compatible; ms-office; MSOffice 16)';
    expect(click(msOffice).reason).toBe('bot-agent:ms-office');
    expect(open(msOffice)).toEqual(HUMAN);
  });

  it('picks the rule matching earliest in the agent', () => {
    expect(click('TelegramBot (like TwitterBot)').reason).toBe('bot-agent:telegrambot');
    expect(click('Twitterbot/1.0 TelegramBot').reason).toBe('bot-agent:twitterbot');
  });

  it('scans only the start of a very long agent', () => {
    expect(click(`${CHROME} ${'x'.repeat(600)} curl/8.0 Googlebot`)).toEqual(HUMAN);
    expect(click(`Googlebot ${'x'.repeat(600)}`).reason).toBe('bot-agent:generic');
  });
});

describe('classifyHit: Apple Mail Privacy Protection', () => {
  it("is a bare Mozilla/5.0 open from Apple's ranges", () => {
    expect(open('Mozilla/5.0', '17.58.100.1')).toEqual({ machine: true, reason: 'apple-mpp' });
    expect(open('Mozilla/5.0', '::ffff:17.58.100.1').reason).toBe('apple-mpp');
  });

  it('stays a machine, but not confirmed MPP, from elsewhere or on a click', () => {
    expect(open('Mozilla/5.0', HOME_V4).reason).toBe('bot-agent:bare-mozilla');
    expect(open('Mozilla/5.0', undefined).reason).toBe('bot-agent:bare-mozilla');
    expect(click('Mozilla/5.0', '17.58.100.1').reason).toBe('bot-agent:bare-mozilla');
  });

  it("recognises Apple's egress ranges loaded at start-up as MPP", () => {
    const withEgress = createHitClassifier(data, [{ cidr: '198.51.100.0/24', group: 'apple' }]);
    expect(withEgress({ kind: 'open', method: 'GET', userAgent: 'Mozilla/5.0', ip: '198.51.100.77' }).reason).toBe('apple-mpp');
    expect(withEgress({ kind: 'open', method: 'GET', userAgent: CHROME, ip: '198.51.100.77' })).toEqual(HUMAN);
    expect(() => createHitClassifier(data, [{ cidr: '198.51.100.0/24', group: 'icloud' }])).toThrow(/"icloud", which is not one of: apple, google-proxy/);
  });
});

describe('classifyHit: address ranges', () => {
  it.each(Object.entries(rangeExamples))('%s', (_id, [ips, reason]) => {
    for (const ip of ips) {
      expect(open(CHROME, ip).reason, ip).toBe(reason);
      expect(click(CHROME, ip).reason, ip).toBe(reason);
    }
  });

  it('leaves the addresses just outside a range to the other rules', () => {
    for (const ip of ['209.222.79.255', '209.222.88.0', '40.106.255.255', '104.47.128.0', '2a01:111:f402:ffff::1', '66.249.79.255']) expect(click(CHROME, ip), ip).toEqual(HUMAN);
  });

  it('lets an agent that names a service speak before the range, and a range before a generic agent', () => {
    expect(open('Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)', '40.107.1.1').reason).toBe('gmail-proxy');
    expect(click('python-requests/2.31.0', '40.107.1.1').reason).toBe('scanner:microsoft');
    expect(click('python-requests/2.31.0', '17.1.1.1').reason).toBe('bot-agent:python');
  });
});

describe('classifyHit: method, missing agent, honeypot', () => {
  it('takes a HEAD request for a machine, after any rule that names who it is', () => {
    expect(classifyHit({ kind: 'click', method: 'HEAD', userAgent: CHROME, ip: HOME_V4 })).toEqual({ machine: true, reason: 'head-request' });
    expect(classifyHit({ kind: 'open', method: 'head', userAgent: CHROME, ip: HOME_V4 }).reason).toBe('head-request');
    expect(classifyHit({ kind: 'click', method: 'HEAD', userAgent: CHROME, ip: '205.139.110.40' }).reason).toBe('scanner:mimecast');
  });

  it('takes a hit with no user agent for a machine', () => {
    expect(open(undefined)).toEqual({ machine: true, reason: 'no-agent' });
    expect(click('  ').reason).toBe('no-agent');
    expect(classifyHit({ kind: 'open', method: 'GET', userAgent: null, ip: null }).reason).toBe('no-agent');
  });

  it('takes a click on the honeypot link for a machine, whoever it claims to be', () => {
    expect(classifyHit({ kind: 'click', method: 'GET', userAgent: CHROME, ip: HOME_V4, url: HONEYPOT_URL })).toEqual({ machine: true, reason: 'honeypot' });
    expect(classifyHit({ kind: 'click', method: 'GET', userAgent: CHROME, ip: HOME_V4, url: 'https://shop.example/honeypot.edgepost.invalid/' })).toEqual(HUMAN);
  });
});

describe('createHitClassifier: checking the data', () => {
  const withAgent = (rule: object) => ({ ...data, agents: [...data.agents, { name: 'new rule', pattern: 'x', reason: 'bot-agent:x', ...rule }] });
  const withRange = (group: object) => ({ ...data, ranges: [...data.ranges, { id: 'new', owner: 'Someone', reason: 'scanner:new', alone: true, cidrs: [], source: 'https://example.com', ...group }] });

  it.each([
    [withAgent({ pattern: '(' }), /"new rule": pattern is not a valid RegExp/],
    [withAgent({ pattern: '(scan)ner' }), /"new rule": pattern has a capturing group: write \(\?:…\)/],
    [withAgent({ reason: 'Bot Agent' }), /"new rule": reason "Bot Agent" must be a lower-case code/],
    [withAgent({ kinds: ['unsubscribe'] }), /"new rule": kind "unsubscribe" is not one of open, click/],
    [withAgent({ fromRange: 'nowhere' }), /"new rule": fromRange "nowhere" is not a range group id/],
    [withRange({ cidrs: ['10.0.0.1/8'] }), /"10.0.0.1\/8" has address bits set past \/8/],
    [withRange({ id: 'apple' }), /range group "apple" is listed twice/],
    [withRange({ source: '' }), /range group "new" has no source/],
  ])('refuses a rule set with a mistake and names it (%#)', (rules, message) => {
    expect(() => createHitClassifier(rules as MachineSignatures)).toThrow(message);
  });
});

describe('classifyTiming', () => {
  const sentAt = Date.UTC(2026, 0, 5, 9, 0, 0);

  it(`takes a click within ${earlyClickSeconds} s of the send for a scanner's`, () => {
    expect(classifyTiming({ kind: 'click', at: sentAt + 1_500, sentAt })).toEqual({ machine: true, reason: 'early-click' });
    expect(classifyTiming({ kind: 'click', at: sentAt + earlyClickSeconds * 1000 - 1, sentAt }).reason).toBe('early-click');
    expect(classifyTiming({ kind: 'click', at: sentAt - 2_000, sentAt }).reason).toBe('early-click');
  });

  it('leaves later clicks, opens and messages with no sent time alone', () => {
    expect(classifyTiming({ kind: 'click', at: sentAt + earlyClickSeconds * 1000, sentAt })).toEqual(HUMAN);
    expect(classifyTiming({ kind: 'open', at: sentAt + 1_000, sentAt })).toEqual(HUMAN);
    expect(classifyTiming({ kind: 'click', at: sentAt + 1_000, sentAt: null })).toEqual(HUMAN);
  });
});

describe('classifyClickBurst', () => {
  const t0 = Date.UTC(2026, 0, 5, 9, 30, 0);
  const windowMs = burstWindowSeconds * 1000;
  const links = Array.from({ length: burstMinDistinctLinks }, (_, i) => `https://shop.example/${i}`);
  const reasons = (clicks: { url: string; at: number }[]) => classifyClickBurst(clicks).map((v) => v.reason);

  it(`marks ${burstMinDistinctLinks} distinct links clicked within ${burstWindowSeconds} s, and only those`, () => {
    const burst = links.map((url, i) => ({ url, at: t0 + (i * windowMs) / links.length }));
    const later = { url: links[0]!, at: t0 + 10 * windowMs };
    expect(reasons([...burst, later])).toEqual([...links.map(() => 'click-burst'), 'human']);
    expect(classifyClickBurst(burst)[0]).toEqual({ machine: true, reason: 'click-burst' });
  });

  it('needs distinct links, enough of them, close enough together', () => {
    const sameLink = links.map((_, i) => ({ url: links[0]!, at: t0 + i }));
    const tooFew = links.slice(1).map((url, i) => ({ url, at: t0 + i }));
    const spread = links.map((url, i) => ({ url, at: t0 + i * (windowMs + 1) }));
    expect(reasons(sameLink).every((r) => r === 'human')).toBe(true);
    expect(reasons(tooFew).every((r) => r === 'human')).toBe(true);
    expect(reasons(spread).every((r) => r === 'human')).toBe(true);
  });

  it('answers in the order the clicks were given, whatever their times', () => {
    const clicks = [
      { url: 'https://shop.example/late', at: t0 + 60 * windowMs },
      ...links.map((url, i) => ({ url, at: t0 + links.length - i })),
    ];
    expect(reasons(clicks)).toEqual(['human', ...links.map(() => 'click-burst')]);
  });

  it('marks the honeypot click, and the clicks near it as its companions', () => {
    const clicks = [
      { url: links[0]!, at: t0 },
      { url: HONEYPOT_URL, at: t0 + windowMs },
      { url: links[1]!, at: t0 + 2 * windowMs },
      { url: links[1]!, at: t0 + 2 * windowMs + 1 },
    ];
    expect(reasons(clicks)).toEqual(['honeypot-burst', 'honeypot', 'honeypot-burst', 'human']);
    expect(reasons([])).toEqual([]);
  });
});
