// Tests only: a bare SMTP server on 127.0.0.1 that answers as a test script says, for
// what smtp-server will not do on request (refuse DATA, stay silent, hang up at a chosen
// point, hide PIPELINING and show whether commands arrived together).
import { createServer, type AddressInfo, type Socket } from 'node:net';

/** A reply line(s) to send, `drop` to reset the connection, `silent` to hang: no reply, nothing more read. */
export type ScriptedAnswer = string | 'drop' | 'silent';

export interface ScriptedSmtpServer {
  port: number;
  /** Command lines received, in order, on all connections (message bodies left out). */
  commands: string[];
  /** Each message received, as un-stuffed bytes, without the final dot. */
  messages: Buffer[];
  /** Each data chunk received, as text, with the connection number: shows what came together. */
  chunks: { connection: number; text: string }[];
  connections: number;
  /** Open sockets now. */
  readonly open: number;
  /** Ends every open connection (as a server restarting would), without a reply. */
  dropAll(): void;
  /** Writes a line to every open connection unasked, e.g. an idle server's 421, then ends them. */
  sayAllAndClose(line: string): void;
  close(): Promise<void>;
}

export interface ScriptedSmtpOptions {
  /** The 220 greeting; `silent` never greets. */
  greeting?: ScriptedAnswer;
  /** EHLO keywords after the first line; default PIPELINING and 8BITMIME. */
  extensions?: string[];
  /** An answer for a command (or `.` for the end of a message); undefined keeps the default. */
  answer?: (command: string, connection: number) => ScriptedAnswer | undefined;
}

const DEFAULTS: Record<string, string> = { MAIL: '250 2.1.0 Ok', RCPT: '250 2.1.5 Ok', DATA: '354 End data with <CR><LF>.<CR><LF>', RSET: '250 2.0.0 Ok', NOOP: '250 Ok', QUIT: '221 2.0.0 Bye', '.': '250 2.0.0 Ok: queued as SCRIPT1' };

export async function startScriptedSmtpServer(options: ScriptedSmtpOptions = {}): Promise<ScriptedSmtpServer> {
  const sockets = new Set<Socket>();
  const extensions = options.extensions ?? ['PIPELINING', '8BITMIME'];
  const state: ScriptedSmtpServer = {
    port: 0,
    commands: [],
    messages: [],
    chunks: [],
    connections: 0,
    get open() {
      return sockets.size;
    },
    dropAll() {
      for (const s of sockets) s.destroy();
    },
    sayAllAndClose(line) {
      for (const s of sockets) s.end(`${line}\r\n`);
    },
    close: async () => {},
  };

  const server = createServer(function serve(socket) {
    const id = ++state.connections;
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let inData = false;
    let hung = false;
    // Enough state to answer DATA as a real server would after a refused envelope.
    let mailOk = false;
    let rcptOk = false;

    /** Answers; null when the connection is gone. */
    function say(command: string, fallback: string): string | null {
      const answer = options.answer?.(command, id) ?? fallback;
      if (answer === 'drop') {
        socket.destroy();
        return null;
      }
      if (answer === 'silent') {
        hung = true;
        return null;
      }
      socket.write(`${answer.replace(/\r?\n/g, '\r\n')}\r\n`);
      if (command.toUpperCase() === 'QUIT' || /^421/.test(answer)) {
        socket.end();
        return null;
      }
      return answer;
    }

    function onCommand(line: string): boolean {
      state.commands.push(line);
      const verb = line.split(/[ :]/)[0]!.toUpperCase();
      const ehlo = ['scripted.test', ...extensions].map((l, i, all) => `250${i === all.length - 1 ? ' ' : '-'}${l}`).join('\r\n');
      const refusedData = verb === 'DATA' && !(mailOk && rcptOk) ? '554 5.5.1 Error: no valid recipients' : undefined;
      const answer = say(line, refusedData ?? (verb === 'EHLO' ? ehlo : verb === 'HELO' ? '250 scripted.test' : (DEFAULTS[verb] ?? '502 5.5.2 Error: command not recognized')));
      if (answer === null) return false;
      if (verb === 'MAIL') mailOk = answer.startsWith('250');
      if (verb === 'RCPT' && mailOk) rcptOk ||= answer.startsWith('25');
      if (verb === 'RSET' || verb === 'EHLO' || verb === 'HELO') mailOk = rcptOk = false;
      if (verb === 'DATA') {
        inData = answer.startsWith('354');
        mailOk = rcptOk = false;
      }
      return true;
    }

    socket.on('data', (chunk: Buffer) => {
      state.chunks.push({ connection: id, text: chunk.toString('latin1') });
      if (hung) return;
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (inData) {
          const end = buffered.indexOf('\r\n.\r\n');
          const atStart = buffered.subarray(0, 3).toString() === '.\r\n';
          if (end === -1 && !atStart) return;
          const body = atStart ? Buffer.alloc(0) : buffered.subarray(0, end + 2);
          buffered = buffered.subarray(atStart ? 3 : end + 5);
          inData = false;
          state.messages.push(Buffer.from(body.toString('latin1').replace(/^\./gm, ''), 'latin1'));
          if (say('.', DEFAULTS['.']!) === null) return;
          continue;
        }
        const lf = buffered.indexOf('\n');
        if (lf === -1) return;
        const line = buffered.subarray(0, lf).toString('utf8').replace(/\r$/, '');
        buffered = buffered.subarray(lf + 1);
        if (!onCommand(line)) return;
      }
    });
    say('greeting', options.greeting ?? '220 scripted.test ESMTP');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.close = () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
