// A private Postfix instance for tests: its own main.cf, master.cf and queue in a temp
// directory, one smtpd on 127.0.0.1 and a free port, relaying everything to a test sink.
// Nothing is chrooted and nothing looks up DNS, so it runs beside (not instead of) any
// system Postfix and never leaves this machine.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const POSTFIX = '/usr/sbin/postfix';

export interface PostfixOptions {
  /** Where Postfix relays every message: `[127.0.0.1]:relayPort`. */
  relayPort: number;
  /** Recipients smtpd refuses at RCPT, with the reply, e.g. `550 5.1.1 no such user`. */
  rejectRecipients?: Record<string, string>;
  /**
   * Domains Postfix delivers to itself with local(8), where no user exists: smtpd accepts
   * any recipient there (`local_recipient_maps =`), and delivery then bounces it with a DSN
   * (5.1.1 unknown user) to the envelope sender.
   */
  localDomains?: string[];
  /** transport_maps entries, domain → transport, e.g. `{ 'bounce.test': 'smtp:[127.0.0.1]:2525' }`: overrides the relay. */
  transports?: Record<string, string>;
}

export interface PostfixInstance {
  /** The smtpd port on 127.0.0.1. */
  port: number;
  configDir: string;
  /** Postfix's own log (maillog_file), for failure messages. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** Whether Debian's postfix is installed; tests skip without it. */
export function postfixInstalled(): boolean {
  return existsSync(POSTFIX) && existsSync('/usr/lib/postfix/sbin/master');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function mainCf(dir: string, port: number, relayPort: number, localDomains: string[]): string {
  return `# Generated for one test run; see test/helpers/postfix.ts.
compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
syslog_name = postfix-edgepost-test
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.edgepost.test
mydomain = edgepost.test
myorigin = $myhostname
mydestination = ${localDomains.join(', ')}
local_recipient_maps =
biff = no
# local(8) refuses to start when this is below message_size_limit.
mailbox_size_limit = 0
transport_maps = texthash:${dir}/transport
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:${relayPort}
relay_domains =
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtpd_peername_lookup = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:${dir}/recipient_access, permit_mynetworks, reject
message_size_limit = 52428800
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtpd_client_connection_count_limit = 0
default_process_limit = 20
# Our smtpd listens on ${port}; master.cf names it.
`;
}

// chroot "n" everywhere: Debian's default master.cf chroots into /var/spool/postfix.
const MASTER_SERVICES = `
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
local     unix  - n n - - local
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`;

/** Starts Postfix from a temp config directory; call stop() to end it and remove the directory. */
export async function startPostfix(options: PostfixOptions): Promise<PostfixInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'edgepost-postfix-'));
  const port = await freePort();
  const access = Object.entries(options.rejectRecipients ?? {}).map(([address, reply]) => `${address} ${reply}`);
  const transports = Object.entries(options.transports ?? {}).map(([domain, transport]) => `${domain} ${transport}`);
  await writeFile(join(dir, 'main.cf'), mainCf(dir, port, options.relayPort, options.localDomains ?? []));
  await writeFile(join(dir, 'master.cf'), `127.0.0.1:${port} inet n - n - - smtpd\n${MASTER_SERVICES}`);
  await writeFile(join(dir, 'recipient_access'), `${access.join('\n')}\n`);
  await writeFile(join(dir, 'transport'), `${transports.join('\n')}\n`);
  const postfix = (command: string) => run(POSTFIX, ['-c', dir, command], { timeout: 30_000 });
  const log = () => readFile(join(dir, 'maillog'), 'utf8').catch(() => '');
  try {
    // set-permissions makes the queue's subdirectories, owned as Postfix expects.
    await mkdir(join(dir, 'queue'));
    await mkdir(join(dir, 'data'));
    await postfix('set-permissions');
    await postfix('start');
    await waitForListener(port);
  } catch (err) {
    await postfix('abort').catch(() => {});
    const detail = await log();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`postfix did not start: ${(err as Error).message}\n${detail}`);
  }
  return {
    port,
    configDir: dir,
    log,
    async stop() {
      await postfix('stop').catch(() => postfix('abort').catch(() => {}));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForListener(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}
