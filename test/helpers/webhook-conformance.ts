// The one conformance suite every relay webhook module passes (STYLE.md rule 5):
//   describeWebhookConformance(mailgunWebhook, { source, fixtures: [...], signed: [...] });
// It checks that each real payload parses to the expected events with stable keys, that
// each genuine request authenticates, that no single-byte change of a signed body does,
// and that hostile input is refused cleanly. Provider-specific cases live beside the module.
import { expect, it } from 'vitest';
import type { DeliveryEvent } from '../../shared/feedback/delivery-event';
import {
  WebhookPayloadError,
  type RelayWebhook,
  type WebhookContext,
  type WebhookRequest,
  type WebhookSource,
} from '../../shared/webhooks/relay-webhook';
import { describeWithFixtures, readFixture } from './fixtures';

export interface FixtureCase {
  /** Path under `shared/fixtures/`, e.g. `webhooks/mailgun-delivered.json`. */
  file: string;
  /** The events it must parse to, in order; each is matched with toMatchObject. */
  expected: Partial<DeliveryEvent>[];
}

export interface SignedCase {
  name: string;
  /** A genuine request: the body exactly as the relay sent it, with its auth headers or URL. */
  request: () => WebhookRequest;
  /** Context for this case (a fixed clock inside the vector's window, a fetch that serves certificates). */
  context?: Partial<WebhookContext>;
  /** The source it must authenticate against; defaults to the suite's. */
  source?: WebhookSource;
}

export interface ConformanceOptions {
  /** A source whose settings the genuine requests were made with. */
  source: WebhookSource;
  fixtures: FixtureCase[];
  signed: SignedCase[];
  /**
   * True when the whole body is signed (SNS, SendGrid): every single-byte change must then
   * fail. False for relays authenticated by basic auth or a URL token, and for Mailgun, whose
   * signature covers only its timestamp and token (its own test mutates those).
   */
  bodySigned: boolean;
  /** Wraps a fixture body into a request for `parse` (headers, URL). Defaults to a JSON POST. */
  toRequest?: (body: Uint8Array) => WebhookRequest;
}

/** A context with no network: fetch fails, unless a case supplies its own. */
export function testContext(over: Partial<WebhookContext> = {}): WebhookContext {
  return {
    now: () => Date.now(),
    fetch: async (input) => {
      throw new Error(`no network in this test (fetch ${String(input)})`);
    },
    keyCache: new Map(),
    ...over,
  };
}

export function jsonRequest(body: Uint8Array | string, headers: Record<string, string> = {}, url = 'https://edge.test/hooks/test'): WebhookRequest {
  return {
    method: 'POST',
    url,
    headers: new Headers({ 'content-type': 'application/json', ...headers }),
    body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
  };
}

/** Byte positions to mutate: all of a short body, else the ends and an even spread. */
function mutationPositions(length: number, max = 400): number[] {
  if (length <= max) return Array.from({ length }, (_, i) => i);
  const step = length / (max - 20);
  const spread = Array.from({ length: max - 20 }, (_, i) => Math.floor(i * step));
  return [...new Set([...Array.from({ length: 10 }, (_, i) => i), ...spread, ...Array.from({ length: 10 }, (_, i) => length - 1 - i)])];
}

export function describeWebhookConformance(module: RelayWebhook, options: ConformanceOptions): void {
  const toRequest = options.toRequest ?? ((body: Uint8Array) => jsonRequest(body));

  describeWithFixtures(`${module.provider} webhook conformance`, () => {
    for (const fixture of options.fixtures) {
      it(`parses ${fixture.file} to the expected events`, () => {
        const request = toRequest(new Uint8Array(readFixture(fixture.file)));
        const parsed = module.parse(request, options.source);
        expect(parsed.events).toHaveLength(fixture.expected.length);
        parsed.events.forEach((event, i) => {
          expect(event).toMatchObject({ source: module.provider, ...fixture.expected[i] });
          expect(event.key.startsWith(`${module.provider}:`)).toBe(true);
          expect(event.recipient).toBe(event.recipient.trim().toLowerCase());
          expect(Number.isFinite(event.occurredAt)).toBe(true);
        });
        // Redelivery gives the same keys: that is what makes recording idempotent.
        expect(module.parse(request, options.source).events.map((e) => e.key)).toEqual(parsed.events.map((e) => e.key));
      });
    }

    for (const signed of options.signed) {
      it(`authenticates the genuine request: ${signed.name}`, async () => {
        const source = signed.source ?? options.source;
        const result = await module.authenticate(signed.request(), [source], testContext(signed.context));
        expect(result).toMatchObject({ ok: true, source: { id: source.id } });
      });

      if (options.bodySigned) {
        it(`refuses every single-byte change of the signed body: ${signed.name}`, async () => {
          const genuine = signed.request();
          const source = signed.source ?? options.source;
          const accepted: number[] = [];
          for (const position of mutationPositions(genuine.body.length)) {
            const body = genuine.body.slice();
            body[position] = body[position]! ^ 0x01;
            const result = await module.authenticate({ ...genuine, headers: new Headers(genuine.headers), body }, [source], testContext(signed.context));
            if (result.ok) accepted.push(position);
          }
          expect(accepted).toEqual([]);
        });
      }

      it(`refuses the request without sources, and with another source's settings: ${signed.name}`, async () => {
        const genuine = signed.request();
        expect((await module.authenticate(genuine, [], testContext(signed.context))).ok).toBe(false);
        const stranger: WebhookSource = { id: 999, config: strangerOf(options.source.config), secrets: strangerOf(options.source.secrets) };
        expect((await module.authenticate(genuine, [stranger], testContext(signed.context))).ok).toBe(false);
      });
    }

    it('refuses a request that carries no credentials at all', async () => {
      const bare = jsonRequest('{}');
      expect((await module.authenticate(bare, [options.source], testContext())).ok).toBe(false);
    });

    it('answers malformed bodies with a WebhookPayloadError, never another error', () => {
      for (const text of ['', '{', 'not json', '\u0000\u0001', '{"a":']) {
        expect(() => module.parse(toRequest(new TextEncoder().encode(text)), options.source), JSON.stringify(text)).toThrow(WebhookPayloadError);
      }
      for (const text of ['null', '42', '"x"', '{}', '[]', '[null]', '{"event-data":null}', '[{"event":{}}]']) {
        try {
          const parsed = module.parse(toRequest(new TextEncoder().encode(text)), options.source);
          expect(Array.isArray(parsed.events), JSON.stringify(text)).toBe(true);
        } catch (err) {
          expect(err, JSON.stringify(text)).toBeInstanceOf(WebhookPayloadError);
        }
      }
    });
  });
}

/** The same settings with every string value changed, so a source of another account. */
function strangerOf(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(settings).map(([k, v]) => [
      k,
      typeof v === 'string' ? `${v.slice(0, -2)}${v.endsWith('xx') ? 'yy' : 'xx'}` : Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? `${x}-other` : x)) : v,
    ]),
  );
}
