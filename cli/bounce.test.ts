import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeWithFixtures, fixturesDir } from '../test/helpers/fixtures';
import { bounceCommand } from './bounce';
import type { CommandIo } from './command';
import { runCli } from './run-cli';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { env: {}, out: (line) => out.push(line), err: (line) => err.push(line) };
  const code = await runCli({ bounce: bounceCommand }, ['bounce', ...args], io);
  return { code, out, err };
}

const fixture = (name: string) => join(fixturesDir, 'bounces', name);

describeWithFixtures('bounce classify on the fixtures', () => {
  it('prints each recipient with its class, codes, reason and the server\'s words', async () => {
    const { code, out, err } = await run(['classify', fixture('sisimai-lhost-postfix-13.eml'), fixture('sisimai-rfc3834-01.eml')]);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([
      `${fixture('sisimai-lhost-postfix-13.eml')}: delivery status notification (RFC 3464)`,
      '  kijitora@example.jp: hard bounce (5.2.1, SMTP 550): unknown user',
      '    server said: 550 5.2.1 <kijitora@example.jp>... User Unknown',
      '  noraneko@example.jp: soft bounce (5.2.2, SMTP 550): mailbox full',
      '    server said: 550 5.2.2 <noraneko@example.jp>... Mailbox Full',
      '  original message: Message-ID <20150213024748.CEEDB20C16@2jo.example.jp>, to kijitora@example.jp, noraneko@example.jp, subject "Nyaaaan"',
      `${fixture('sisimai-rfc3834-01.eml')}: not a bounce report`,
      '  kijitora@example.net: not a bounce: auto-reply (Auto-Submitted: auto-replied)',
    ]);
  });

  it('names complaints, unsubscribes and forwards', async () => {
    const { out } = await run(['classify', fixture('sisimai-arf-02.eml'), fixture('sisimai-arf-26.eml'), fixture('sisimai-rhost-google-03.eml')]);
    expect(out).toContain('  this-local-part-does-not-exist-on-yahoo@yahoo.com: complaint: abuse complaint');
    expect(out).toContain('  example@icloud.com: unsubscribe: unsubscribe request (Apple Mail, mailto: List-Unsubscribe)');
    expect(out).toContain('  neko@example.co.jp (forwarded to kijitora@google.example.com): soft bounce (5.7.26, SMTP 550): authentication failure (SPF/DKIM/DMARC)');
  });

  it('prints one JSON document with --json', async () => {
    const { code, out } = await run(['classify', '--json', fixture('sisimai-lhost-exim-02.eml'), fixture('sisimai-arf-16.eml')]);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const reports = JSON.parse(out[0]!);
    expect(reports.map((r: { file: string; format: string }) => [r.file, r.format])).toEqual([
      [fixture('sisimai-lhost-exim-02.eml'), 'text'],
      [fixture('sisimai-arf-16.eml'), 'arf'],
    ]);
    expect(reports[0].recipients.map((r: { address: string; verdict: string; status: string }) => [r.address, r.verdict, r.status])).toEqual([
      ['kijitora@example.jp', 'hard', '5.1.1'],
      ['sabatora@example.jp', 'hard', '5.2.1'],
    ]);
    expect(reports[1].recipients).toHaveLength(7);
  });
});

describe('bounce classify on files of its own', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'edgepost-bounce-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a CRLF bounce of ours and shows which message it was', async () => {
    const file = join(dir, 'returned.eml');
    const lines = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
      'Subject: Mail delivery failed: returning message to sender',
      'X-Failed-Recipients: ann@example.com',
      '',
      'The following address(es) failed:',
      '',
      '  ann@example.com',
      '    host mx.example.com: 452 4.2.2 Over quota \u001b[31m',
      '',
      '------ This is a copy of the message, including all the headers. ------',
      '',
      'Message-ID: <55.7.k1@shop.example>',
      'X-Edgepost-Message: 55',
      'To: ann@example.com',
      'Subject: News',
      '',
      'Hello',
    ];
    writeFileSync(file, lines.join('\r\n'));
    const { code, out } = await run(['classify', file]);
    expect(code).toBe(0);
    expect(out).toEqual([
      `${file}: bounce in a non-standard text format`,
      '  ann@example.com: soft bounce (4.2.2, SMTP 452): mailbox full',
      // The escape character of a hostile bounce does not reach the terminal.
      '    server said: 452 4.2.2 Over quota ?[31m',
      '  original message: Message-ID <55.7.k1@shop.example>, Edgepost message 55, to ann@example.com, subject "News"',
    ]);
  });

  it('says a file that is not mail is not a bounce', async () => {
    const file = join(dir, 'photo.jpg');
    writeFileSync(file, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]));
    const { code, out } = await run(['classify', file]);
    expect(code).toBe(0);
    expect(out).toEqual([`${file}: not a bounce report`, '  (recipient not named): not a bounce: an ordinary message']);
  });

  it('refuses a missing or unreadable file with exit code 2 and prints no result', async () => {
    const present = join(dir, 'ok.eml');
    writeFileSync(present, 'Subject: hi\n\nhello\n');
    const { code, out, err } = await run(['classify', present, join(dir, 'missing.eml'), dir]);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([`Cannot read ${join(dir, 'missing.eml')}: no such file (check the path)`, `Cannot read ${dir}: it is a directory; name the mail files in it`]);
  });

  it('explains a wrong call with the usage, exit code 2', async () => {
    for (const args of [[], ['classify'], ['classify', '--jsn', 'x.eml'], ['parse', 'x.eml']]) {
      const { code, out, err } = await run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(out).toEqual([]);
      expect(err.join('\n')).toContain('Usage: npm run cli -- bounce classify FILE.eml [FILE...] [--json]');
    }
  });

  it('is registered in npm run cli', async () => {
    const file = join(dir, 'vacation.eml');
    writeFileSync(file, 'From: ann@example.com\nAuto-Submitted: auto-replied\nSubject: Away\n\nBack soon.\n');
    const root = fileURLToPath(new URL('..', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'bounce', 'classify', file], { cwd: root });
    expect(stdout).toBe(`${file}: not a bounce report\n  ann@example.com: not a bounce: auto-reply (Auto-Submitted: auto-replied)\n`);
  });
});
