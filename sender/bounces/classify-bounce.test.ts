import { describe, expect, it } from 'vitest';
import { describeWithFixtures, readFixture } from '../../test/helpers/fixtures';
import type { BounceReport, BounceVerdict } from './bounce-report';
import { bounceVerdict } from './bounce-verdict';
import { classifyBounce } from './classify-bounce';
import { seededRandom } from '../../test/helpers/seeded-random';

type Expected = [address: string, verdict: BounceVerdict, statusClass?: string];

// ../shared/fixtures/SOURCES.md section 3: every file, its recipients as sisimai parsed them,
// the expected class and the status class (sisimai's x.0.9NN codes are its own: only the class counts).
const conformance: Record<string, { format: BounceReport['format']; recipients: Expected[] }> = {
  'sisimai-arf-01.eml': { format: 'arf', recipients: [['redacted@example.net', 'complaint']] },
  'sisimai-arf-02.eml': { format: 'arf', recipients: [['this-local-part-does-not-exist-on-yahoo@yahoo.com', 'complaint']] },
  'sisimai-arf-16.eml': {
    format: 'arf',
    recipients: ['kijitora', 'sironeko', 'mikeneko', 'sabatora', 'sirokiji', 'kuroneko', 'sabineko'].map(
      (name): Expected => [`${name}@example.${name === 'sirokiji' ? 'org' : 'com'}`, 'complaint'],
    ),
  },
  'sisimai-arf-18.eml': { format: 'arf', recipients: [['kijitora@example.com', 'not-bounce']] },
  'sisimai-arf-26.eml': { format: 'text', recipients: [['example@icloud.com', 'unsubscribe']] },
  'sisimai-dos-lhost-gmail-01.crlf.eml': { format: 'text', recipients: [['userunknown@example.jp', 'hard', '5']] },
  'sisimai-lhost-amazonses-05.eml': { format: 'dsn', recipients: [['bounce@simulator.amazonses.com', 'hard', '5']] },
  'sisimai-lhost-amazonses-17.eml': { format: 'dsn', recipients: [['kijitora@example.com', 'soft', '4']] },
  'sisimai-lhost-exchange2003-01.eml': { format: 'text', recipients: [['kijitora@example.jp', 'hard', '5']] },
  'sisimai-lhost-exchange2007-01.eml': { format: 'dsn', recipients: [['mikeneko@example.co.jp', 'hard', '5']] },
  'sisimai-lhost-exim-02.eml': { format: 'text', recipients: [['kijitora@example.jp', 'hard', '5'], ['sabatora@example.jp', 'hard', '5']] },
  'sisimai-lhost-exim-06.eml': { format: 'text', recipients: [['kijitora@example.com', 'soft', '4']] },
  'sisimai-lhost-gmail-01.eml': { format: 'text', recipients: [['userunknown@example.jp', 'hard', '5']] },
  'sisimai-lhost-gmail-04.eml': { format: 'text', recipients: [['kijitora@example.com', 'soft', '5']] },
  'sisimai-lhost-gmail-06.eml': { format: 'text', recipients: [['kijitora@example.jp', 'soft', '4']] },
  'sisimai-lhost-office365-01.eml': { format: 'text', recipients: [['kijitora@example.com', 'hard', '5']] },
  'sisimai-lhost-outlook-01.eml': { format: 'dsn', recipients: [['kijitora@example.jp', 'soft', '5']] },
  'sisimai-lhost-postfix-02.eml': { format: 'dsn', recipients: [['filtered@example.co.jp', 'hard', '5'], ['userunknown@example.co.jp', 'hard', '5']] },
  'sisimai-lhost-postfix-06.eml': { format: 'dsn', recipients: [['kijitora@neko.example.jp', 'hard', '5']] },
  'sisimai-lhost-postfix-08.eml': { format: 'dsn', recipients: [['kijitora@example.com', 'soft', '4']] },
  'sisimai-lhost-postfix-09.eml': { format: 'dsn', recipients: [['kijitora@example.ne.jp', 'soft', '4']] },
  'sisimai-lhost-postfix-13.eml': { format: 'dsn', recipients: [['kijitora@example.jp', 'hard', '5'], ['noraneko@example.jp', 'soft', '5']] },
  'sisimai-lhost-qmail-01.eml': { format: 'text', recipients: [['kijitora@example.ne.jp', 'hard', '5']] },
  'sisimai-lhost-qmail-19.eml': { format: 'text', recipients: [['pseudo-local-part-of-yahoo-inc@yahoo.com', 'soft', '4']] },
  'sisimai-lhost-sendmail-01.eml': { format: 'dsn', recipients: [['userunknown@bouncehammer.jp', 'hard', '5']] },
  'sisimai-lhost-sendmail-17.eml': { format: 'dsn', recipients: [['kijitora@example.net', 'hard', '5']] },
  'sisimai-lhost-yahoo-01.eml': { format: 'text', recipients: [['kijitora@example.org', 'hard', '5']] },
  'sisimai-not-is-not-bounce-01.eml': { format: 'none', recipients: [['', 'not-bounce']] },
  'sisimai-rfc3464-28.eml': { format: 'dsn', recipients: [['kijitora@neko.example.jp', 'not-bounce', '2'], ['info@neko.example.jp', 'not-bounce', '2']] },
  'sisimai-rfc3834-01.eml': { format: 'none', recipients: [['kijitora@example.net', 'not-bounce']] },
  'sisimai-rhost-apple-04.eml': { format: 'dsn', recipients: [['pseudo-local-part-of-icloud@icloud.com', 'hard', '5']] },
  // sisimai names the address the mail was forwarded to; we name the one we sent to (Original-Recipient).
  'sisimai-rhost-google-03.eml': { format: 'dsn', recipients: [['kijitora@google.example.com', 'soft', '5']] },
  'sisimai-rhost-microsoft-05.eml': { format: 'dsn', recipients: [['pseudo-local-part-of-microsoft@outlook.com', 'soft', '4']] },
};

const classifyFixture = (name: string) => classifyBounce(readFixture(`bounces/${name}`));

describeWithFixtures('classifyBounce on the conformance set (shared/fixtures/bounces)', () => {
  it('covers all 33 files', () => {
    expect(Object.keys(conformance)).toHaveLength(33);
  });

  for (const [name, expected] of Object.entries(conformance)) {
    it(name, async () => {
      const report = await classifyFixture(name);
      expect(report.format).toBe(expected.format);
      // The status class is compared where SOURCES.md gives a status.
      const got = report.recipients.map((r, i) => {
        const address = r.finalRecipient ?? r.address;
        return expected.recipients[i]?.[2] ? [address, r.verdict, r.status?.[0]] : [address, r.verdict];
      });
      expect(got).toEqual(expected.recipients);
      for (const r of report.recipients) expect(r.reason).not.toBe('');
    });
  }

  it('counts 17 hard, 11 soft and 9 complaints over the set, as SOURCES.md does', async () => {
    const verdicts = (await Promise.all(Object.keys(conformance).map(classifyFixture))).flatMap((r) => r.recipients.map((x) => x.verdict));
    const count = (v: BounceVerdict) => verdicts.filter((x) => x === v).length;
    expect([count('hard'), count('soft'), count('complaint'), count('unsubscribe')]).toEqual([17, 11, 9, 1]);
  });

  it('gives reasons and codes a person can act on', async () => {
    const [unknown, full] = (await classifyFixture('sisimai-lhost-postfix-13.eml')).recipients;
    expect(unknown).toMatchObject({ status: '5.2.1', smtpCode: '550', reason: 'unknown user', diagnostic: '550 5.2.1 <kijitora@example.jp>... User Unknown' });
    expect(full).toMatchObject({ status: '5.2.2', reason: 'mailbox full' });
    expect((await classifyFixture('sisimai-rhost-google-03.eml')).recipients[0]).toMatchObject({
      address: 'neko@example.co.jp',
      finalRecipient: 'kijitora@google.example.com',
      status: '5.7.26',
      reason: 'authentication failure (SPF/DKIM/DMARC)',
    });
    expect((await classifyFixture('sisimai-lhost-exim-06.eml')).recipients[0]).toMatchObject({ status: '4.4.7', reason: 'delivery expired', diagnostic: 'retry timeout exceeded' });
    expect((await classifyFixture('sisimai-lhost-qmail-01.eml')).recipients[0]).toMatchObject({ status: '5.5.0', smtpCode: '550', reason: 'unknown user' });
    expect((await classifyFixture('sisimai-lhost-gmail-06.eml')).recipients[0]!.reason).toBe('delayed, still retrying: mailbox full');
    expect((await classifyFixture('sisimai-rfc3834-01.eml')).recipients[0]!.reason).toMatch(/^auto-reply/);
  });

  it('reads the feedback type and the quoted original', async () => {
    expect(await classifyFixture('sisimai-arf-18.eml')).toMatchObject({ feedbackType: 'auth-failure', original: { messageId: '<000000002.2222222.1500000000022@example.net>' } });
    expect((await classifyFixture('sisimai-lhost-sendmail-01.eml')).original).toEqual({
      messageId: '<E1C50F1B-1C83-4820-BC36-AC6FBFBE8568@example.org>',
      to: 'userunknown@bouncehammer.jp',
      subject: 'バウンスメールのテスト(日本語)',
    });
    // Quoted inline after a text bounce, and as text/rfc822-headers.
    expect((await classifyFixture('sisimai-lhost-gmail-01.eml')).original).toMatchObject({ messageId: '<D992C2C3-F175-4C4D-97E2-53A90E4E5BF5@gmail.com>', to: 'mailboxfull@example.jp, userunknown@example.jp' });
    expect((await classifyFixture('sisimai-lhost-office365-01.eml')).original).toMatchObject({ messageId: '<FFFFFFFF.EEEEEEEE@example.ed.jp>', subject: 'Nyaan' });
    expect((await classifyFixture('sisimai-lhost-postfix-09.eml')).original).toMatchObject({ messageId: '<20140913142357>' });
  });

  it('reads a CRLF file and its LF twin alike', async () => {
    const crlf = readFixture('bounces/sisimai-dos-lhost-gmail-01.crlf.eml');
    expect(await classifyBounce(crlf)).toEqual(await classifyFixture('sisimai-lhost-gmail-01.eml'));
    for (const name of ['sisimai-lhost-postfix-13.eml', 'sisimai-arf-16.eml', 'sisimai-lhost-exim-02.eml', 'sisimai-rfc3464-28.eml']) {
      const lf = readFixture(`bounces/${name}`);
      expect(await classifyBounce(lf.toString('latin1').replace(/\n/g, '\r\n')), name).toEqual(await classifyBounce(lf));
    }
  });
});

const ourDsn = (status: string, diagnostic: string, action = 'failed') =>
  [
    'From: MAILER-DAEMON@mx.example.net (Mail Delivery System)',
    'To: bounces+55-abc@shop.example',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '--b1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    'Final-Recipient: rfc822;Ann@Example.COM',
    `Action: ${action}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${diagnostic}`,
    '    (folded onto a second line)',
    '--b1',
    'Content-Type: text/rfc822-headers',
    '',
    'Message-ID: <55.7.k1@shop.example>',
    'X-Edgepost-Message: 55',
    'To: Ann <ann@example.com>',
    'Subject: =?UTF-8?Q?Caf=C3=A9_news?=',
    '--b1--',
    '',
  ].join('\r\n');

describe('classifyBounce on plain inputs', () => {
  it('finds our message in a DSN by its quoted headers, and unfolds the diagnostic', async () => {
    const report = await classifyBounce(ourDsn('5.1.1', '550 5.1.1 <ann@example.com>: Recipient address rejected:'));
    expect(report).toEqual({
      format: 'dsn',
      recipients: [
        {
          address: 'ann@example.com',
          verdict: 'hard',
          status: '5.1.1',
          smtpCode: '550',
          reason: 'unknown user',
          diagnostic: '550 5.1.1 <ann@example.com>: Recipient address rejected: (folded onto a second line)',
        },
      ],
      original: { messageId: '<55.7.k1@shop.example>', edgepostMessage: '55', to: 'ann@example.com', subject: 'Café news' },
    });
  });

  it('counts a delay warning as soft and a success notice as no bounce', async () => {
    expect((await classifyBounce(ourDsn('4.4.1', '421 connection timed out', 'delayed'))).recipients[0]).toMatchObject({ verdict: 'soft', reason: 'delayed, still retrying: receiving server did not answer' });
    for (const action of ['delivered', 'relayed', 'expanded']) {
      expect((await classifyBounce(ourDsn('2.0.0', '250 ok', action))).recipients[0]!.verdict, action).toBe('not-bounce');
    }
  });

  it('maps ARF feedback types: opt-out is an unsubscribe, "other" is no complaint', async () => {
    const arf = (type: string) =>
      `From: fbl@isp.example\r\nSubject: report\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nreport\r\n--x\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: ${type}\r\nVersion: 1\r\nRemoval-Recipient: <Ann@example.com>\r\n--x--\r\n`;
    expect(await classifyBounce(arf('opt-out'))).toMatchObject({ format: 'arf', feedbackType: 'opt-out', recipients: [{ address: 'ann@example.com', verdict: 'unsubscribe' }] });
    expect((await classifyBounce(arf('other'))).recipients[0]!.verdict).toBe('not-bounce');
    expect((await classifyBounce(arf('fraud'))).recipients[0]!.verdict).toBe('complaint');
  });

  it('tells auto-replies by X-Autoreply, Precedence and a vacation subject', async () => {
    for (const header of ['X-Autoreply: yes', 'Precedence: auto_reply', 'Subject: Out of Office: back Monday']) {
      const report = await classifyBounce(`From: ann@example.com\nTo: bounces+55-abc@shop.example\n${header}\n\nI am away.\n`);
      expect(report.recipients, header).toEqual([{ address: 'ann@example.com', verdict: 'not-bounce', reason: expect.stringMatching(/^auto-reply/) }]);
    }
  });

  it('does not take an out-of-office reply from a postmaster for a bounce', async () => {
    const report = await classifyBounce('From: postmaster@example.com\nAuto-Submitted: auto-replied\nSubject: Undeliverable? No: I am on leave\n\nBack on Monday.\n');
    expect(report.recipients).toEqual([{ address: 'postmaster@example.com', verdict: 'not-bounce', reason: 'auto-reply (Auto-Submitted: auto-replied)' }]);
  });

  it('judges a text bounce that names no recipient by its words', async () => {
    const report = await classifyBounce('From: MAILER-DAEMON@mx.example.net\nSubject: failure notice\n\nSorry: 550 5.2.2 mailbox is full\n');
    expect(report).toEqual({ format: 'text', recipients: [{ address: '', verdict: 'soft', status: '5.2.2', smtpCode: '550', reason: 'mailbox full', diagnostic: '550 5.2.2 mailbox is full' }] });
  });

  it('never throws: anything that is not mail is format none, not a bounce', async () => {
    const random = seededRandom(7);
    const noise = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256)));
    const inputs: (Buffer | string)[] = ['', '\0\0\0', 'just some words', noise, 'Content-Type: multipart/report; boundary=x\n\n--x\nContent-Type: message/delivery-status\n\nFinal-Recipient', `X: ${'a'.repeat(100_000)}\n`];
    for (const input of inputs) {
      const report = await classifyBounce(input);
      expect(report.format).toBe('none');
      expect(report.recipients).toHaveLength(1);
      expect(report.recipients[0]!.verdict).toBe('not-bounce');
    }
  });
});

describe('bounceVerdict', () => {
  const verdict = (input: Parameters<typeof bounceVerdict>[0]) => bounceVerdict(input);

  it('calls an unknown user hard even under a 4xx, and implies its status', () => {
    expect(verdict({ status: '4.0.0', smtpCode: '450', diagnostic: '450 4.0.0 <a@b.example>: Recipient address rejected: User unknown in local recipient table' })).toEqual({ verdict: 'hard', reason: 'unknown user', status: '4.0.0' });
    expect(verdict({ smtpCode: '450', diagnostic: '450 no such user here' })).toEqual({ verdict: 'hard', reason: 'unknown user', status: '4.1.1' });
    expect(verdict({ diagnostic: 'The recipient name is not recognized' })).toEqual({ verdict: 'hard', reason: 'unknown user', status: '5.1.1' });
    expect(verdict({ smtpCode: '550', diagnostic: "550-5.1.1 The email account that you tried to reach does not exist." }).verdict).toBe('hard');
    expect(verdict({ smtpCode: '554', diagnostic: "554 delivery error: dd This user doesn't have a yahoo.com account" }).verdict).toBe('hard');
  });

  it('calls the address-level permanent statuses hard', () => {
    expect(verdict({ status: '5.1.1' })).toMatchObject({ verdict: 'hard', reason: 'unknown user' });
    expect(verdict({ status: '5.1.2' })).toMatchObject({ verdict: 'hard', reason: 'domain not found' });
    expect(verdict({ status: '5.4.4' }).verdict).toBe('hard');
    expect(verdict({ status: '5.1.6', diagnostic: '551 user has moved' })).toMatchObject({ verdict: 'hard', reason: 'mailbox has moved' });
    expect(verdict({ status: '5.1.10' }).verdict).toBe('hard');
    expect(verdict({ diagnostic: 'Host or domain name not found. Name service error for name=x.example type=MX: Host not found' })).toMatchObject({ verdict: 'hard', status: '5.1.2' });
  });

  it('keeps full mailboxes, blocks and authentication failures soft, even under 5xx', () => {
    expect(verdict({ status: '5.2.2', smtpCode: '552' })).toMatchObject({ verdict: 'soft', reason: 'mailbox full' });
    expect(verdict({ status: '5.7.26', diagnostic: '550 5.7.26 Unauthenticated email from x.example is not accepted due to domain DMARC policy' })).toMatchObject({ verdict: 'soft', reason: 'authentication failure (SPF/DKIM/DMARC)' });
    expect(verdict({ status: '5.7.1', diagnostic: '554 5.7.1 Service unavailable; Client host blocked using zen.spamhaus.org' })).toMatchObject({ verdict: 'soft', reason: 'blocked (policy or reputation)' });
    expect(verdict({ smtpCode: '552', diagnostic: '552 Quota exceeded' })).toMatchObject({ verdict: 'soft', reason: 'mailbox full', status: '5.2.2' });
    expect(verdict({ status: '5.0.0', diagnostic: '550 rejected' })).toMatchObject({ verdict: 'soft', reason: 'permanent failure, not about the address' });
  });

  it('keeps expired deliveries and temporary lookups soft', () => {
    expect(verdict({ status: '4.4.7' })).toMatchObject({ verdict: 'soft', reason: 'delivery expired' });
    expect(verdict({ status: '4.4.1', diagnostic: 'connect to x.example: Connection timed out' })).toMatchObject({ verdict: 'soft' });
    expect(verdict({ diagnostic: 'retry timeout exceeded' })).toEqual({ verdict: 'soft', reason: 'delivery expired', status: '4.4.7' });
    expect(verdict({ status: '4.4.3', diagnostic: 'Host or domain name not found. Name service error: Host not found, try again' }).verdict).toBe('soft');
    expect(verdict({})).toEqual({ verdict: 'soft', reason: 'undetermined failure' });
  });

  it('does not count delivery notices', () => {
    for (const action of ['delivered', 'relayed', 'expanded', 'deliverable']) expect(verdict({ action, status: '2.0.0' }).verdict).toBe('not-bounce');
    expect(verdict({ status: '2.1.5', smtpCode: '250' }).verdict).toBe('not-bounce');
  });
});
