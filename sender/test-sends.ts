// Carries out the test sends the API asks for (POST /api/campaigns/:id/test): the campaign
// compiled and rendered exactly as a real send does it, through its first sending server
// (or the default) and that server's rate limits, to each address the marketer named.
// A test leaves no trace in messages, stats or suppressions: no `messages` row is written,
// and its tokens name TEST_MESSAGE_ID, which no row has, so its links record nothing.
import type { Database } from '../shared/db/database';
import { getSettings } from '../shared/queries/settings';
import { getSubscriber } from '../shared/queries/subscribers';
import {
  claimTestSend,
  finishTestSend,
  loadTestSendCampaign,
  renewTestSendLease,
  TEST_MESSAGE_ID,
  type TestSendResult,
  type TestSendRow,
} from '../shared/queries/test-sends';
import { compileCampaign, type CompiledCampaign } from '../shared/render/compile-campaign';
import { formatMailbox } from '../shared/render/email-address';
import type { Mjml2Html } from '../shared/render/mjml';
import { renderMessage, type Recipient, type RenderSettings } from '../shared/render/render-message';
import { trackingPolicy } from './campaign-cache';
import type { Driver } from './drivers/driver';
import type { ServerDrivers } from './drivers/server-drivers';
import { classifySendError } from './send-error';
import type { Throttle } from './throttle/create-throttle';
import { createServerLimits, recipientDomain } from './throttle/server-limits';
import { createWorkLoop, type WorkLoop } from './work-loop';

export interface TestSenderOptions {
  db: Database;
  drivers: ServerDrivers;
  /** The rate limits shared with the send workers (same Redis prefix), so a test counts against the server's rate. */
  throttle: Throttle;
  render: RenderSettings;
  mjml2html: Mjml2Html;
  /** Names this sender in claims. */
  senderId: string;
  /**
   * How long a claimed test stays this sender's; renewed before each address, the first one
   * included. Default 6 min: one address may take the driver's whole timeouts (SMTP: 30 s to
   * connect, 60 s per reply, several replies), and another sender must not send it again.
   */
  leaseMs?: number;
  /** Longest a test waits, in all, for the server's rate; addresses past it are reported as not sent. Default 10 s. */
  maxThrottleWaitMs?: number;
  /** Sleep between looks when there is nothing to send. Default 500 ms. */
  idleMs?: number;
}

/** One address's outcome; `serverWide`: the server failed, not the address, so the others would fail alike. */
interface Outcome {
  result: TestSendResult;
  serverWide: boolean;
}

/** Everything one test needs, gathered once before its first address. */
interface PreparedTest {
  compiled: CompiledCampaign;
  server: { id: number; version: number };
  driver: Driver;
  /** Whose data fills the merge tags; null: a sample recipient per address. */
  subscriber: Recipient['subscriber'] | null;
}

const TEST_SUBJECT_PREFIX = '[Test] ';
/** The sample recipient's name when the test names no subscriber. */
const SAMPLE_NAME = 'Test Recipient';

export function createTestSender(options: TestSenderOptions): WorkLoop {
  const { db, drivers, throttle, render, senderId, leaseMs = 360_000, maxThrottleWaitMs = 10_000 } = options;
  const serverLimits = createServerLimits(db);
  /** Set by stop(): the test in progress ends after the address in flight. */
  let stopping = false;

  /** What the test needs, or why none of its addresses can be sent to. */
  async function prepare(test: TestSendRow): Promise<PreparedTest | string> {
    const campaign = await loadTestSendCampaign(db, test.campaignId);
    if (!campaign) return `campaign ${test.campaignId} no longer exists`;
    if (!campaign.server) return 'ECONFIG: no sending server: set one on the campaign or make one the default';
    let subscriber: PreparedTest['subscriber'] = null;
    if (test.subscriberId !== null) {
      const row = await getSubscriber(db, test.subscriberId);
      if (!row) return `subscriber ${test.subscriberId}, whose data the test was to fill in, no longer exists`;
      subscriber = { id: row.id, email: row.email, name: row.name, attributes: row.attributes };
    }
    try {
      // Compiled afresh, not from the workers' cache: a draft's content changes between tests.
      const policy = trackingPolicy(campaign.tracking, await getSettings(db));
      // Anonymous tokens would count the test's opens in the campaign; tokens of the test's
      // message id look the same to the reader and are dropped when hit (test sends leave no trace).
      const mode = policy.mode === 'anonymous' ? 'on' : policy.mode;
      const compiled = await compileCampaign({ ...campaign.source, trackingPolicy: { ...policy, mode } }, options.mjml2html);
      return { compiled, server: campaign.server, driver: await drivers.get(campaign.server.id, campaign.server.version), subscriber };
    } catch (err) {
      const failure = classifySendError(err);
      return `${failure.code}: ${failure.message}`;
    }
  }

  /** Null when the server's rate lets one more message go now (waiting until `deadline` at most); else why not. */
  async function waitForRate(server: PreparedTest['server'], address: string, deadline: number): Promise<string | null> {
    const { rate, domainRates } = await serverLimits.get(server.id, server.version);
    const domain = recipientDomain(address);
    const domainRate = domainRates[domain] ?? null;
    if (!rate && !domainRate) return null;
    for (;;) {
      const answer = await throttle.acquire(server.id, rate, domain, domainRate);
      if (answer.ok) return null;
      if (Date.now() + answer.waitMs > deadline) {
        return `ERATELIMIT: not sent: the sending server's rate limit allows the next message in ${Math.ceil(answer.waitMs / 1000)} s; send the test again then`;
      }
      await new Promise((r) => setTimeout(r, answer.waitMs));
    }
  }

  async function sendTo(test: TestSendRow, prepared: PreparedTest, address: string, index: number, rateDeadline: number): Promise<Outcome> {
    const { compiled, driver } = prepared;
    const subscriber = prepared.subscriber ?? { id: 0, email: address, name: SAMPLE_NAME, attributes: {} };
    try {
      const limited = await waitForRate(prepared.server, address, rateDeadline);
      if (limited) return { result: { address, ok: false, detail: limited }, serverWide: false };
      const rendered = renderMessage(compiled, { messageId: TEST_MESSAGE_ID, subscriber }, render);
      const sent = await driver.send({
        ...rendered,
        messageId: TEST_MESSAGE_ID,
        // The subscriber's data, but the test's address: never the subscriber's own.
        to: formatMailbox(subscriber.name, address),
        subject: `${TEST_SUBJECT_PREFIX}${rendered.subject}`,
        // Unique per test and address: a repeated Message-ID would make Gmail drop the second test as a duplicate.
        messageIdHeader: `<test-${test.id}-${index}.${compiled.id}.${render.keys.trackingKeyId}@${compiled.from.domain}>`,
      });
      return { result: { address, ok: true, detail: sent.response }, serverWide: false };
    } catch (err) {
      const failure = classifySendError(err);
      const serverWide = failure.outcome === 'halt' || failure.code === 'ECONNECTION' || failure.code === 'ETIMEDOUT';
      return { result: { address, ok: false, detail: `${failure.code}: ${failure.message}` }, serverWide };
    }
  }

  /** Each address's outcome, or null when another sender took the test over (its lease lapsed). */
  async function carryOut(test: TestSendRow): Promise<TestSendResult[] | null> {
    const prepared = await prepare(test);
    if (typeof prepared === 'string') return test.addresses.map((address) => ({ address, ok: false, detail: prepared }));
    const results: TestSendResult[] = [];
    const rateDeadline = Date.now() + maxThrottleWaitMs;
    const notTried = (reason: string) => test.addresses.slice(results.length).map((address) => ({ address, ok: false, detail: `not tried: ${reason}` }));
    for (const [index, address] of test.addresses.entries()) {
      // Reported rather than left to another sender, which would send the first addresses again.
      if (stopping) return [...results, ...notTried('the sender container was stopping; send the test again')];
      if (!(await renewTestSendLease(db, test.id, senderId, leaseMs))) return null;
      const { result, serverWide } = await sendTo(test, prepared, address, index, rateDeadline);
      results.push(result);
      // Wrong credentials or an unreachable relay fail every address alike: one wait is enough.
      if (serverWide) return [...results, ...notTried(`the server failed on ${address} (${result.detail})`)];
    }
    return results;
  }

  async function sendNext(): Promise<boolean> {
    const test = await claimTestSend(db, senderId, leaseMs);
    if (!test) return false;
    const results = await carryOut(test);
    if (results) await finishTestSend(db, test.id, senderId, results);
    return true;
  }

  const loop = createWorkLoop('test send', sendNext, options.idleMs ?? 500);
  return {
    start() {
      stopping = false;
      loop.start();
    },
    async stop() {
      stopping = true;
      await loop.stop();
    },
  };
}
