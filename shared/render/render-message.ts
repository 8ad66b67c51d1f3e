// One campaign plus one recipient makes one message: the per-recipient step, run for every
// message, so it only merges (Liquid templates parsed and planned at compile time, rendered
// synchronously) and signs (every token of the message in two parallel batches).
import type { Keys } from '../keys';
import { signTokens, type TokenClaims } from '../tokens';
import { HONEYPOT_URL } from '../tracking/classify-hit';
import { verpAddress } from '../verp';
import type { CompiledCampaign } from './compile-campaign';
import { formatMailbox, isDeliverableAddress } from './email-address';
import { RENDER_STATE, honeypotLinkHtml, liquidProblem, openPixelHtml, preheaderHtml, type RenderState } from './liquid-engines';
import { createLinkTracker, type SwapMarkers, type TrackedBy } from './link-tracker';
import { listUnsubscribeHeaders, messageIdHeader } from './message-headers';
import { finishPart, renderPlan, type PlanRun, type PlannedPart, type TextPieces } from './render-plan';
import { TemplateError, type TemplateField } from './template-error';
import type { TemplatePlan } from './template-plan';

export interface Recipient {
  /** The `messages` row id: every token and the VERP address name it. */
  messageId: number;
  subscriber: { id: number; email: string; name: string; attributes: Record<string, unknown> };
}

export interface RenderSettings {
  /** Base of unsubscribe links, and of tracking links unless the campaign has a tracking domain; no trailing slash (PUBLIC_URL). */
  publicUrl: string;
  keys: Pick<Keys, 'trackingKeyId' | 'signTracking' | 'signVerp'>;
  /** Base of the VERP return path; defaults to `bounces@<domain of the from address>`. */
  bounceAddress?: string;
}

export interface RenderedMessage {
  from: string;
  /** The To header; the SMTP recipient is the address inside it. */
  to: string;
  subject: string;
  /** Null for `text` campaigns. */
  html: string | null;
  text: string;
  /**
   * The same two texts in pieces (render-plan.ts), for a MIME builder to encode the
   * campaign's static text once; absent from messages made by other means.
   */
  bodyPieces?: { html: TextPieces | null; text: TextPieces };
  /** VERP return path (MAIL FROM). */
  envelopeFrom: string;
  /** The Message-ID header value, `<…>` included; deterministic per message. */
  messageIdHeader: string;
  /** Further headers: List-Unsubscribe and List-Unsubscribe-Post. */
  headers: Record<string, string>;
}

/** Renders one recipient's message from a compiled campaign. */
export function renderMessage(compiled: CompiledCampaign, recipient: Recipient, settings: RenderSettings): RenderedMessage {
  checkRecipient(recipient);
  checkSettings(settings);
  const { messageId, subscriber } = recipient;
  const { publicUrl, keys } = settings;
  const { mode, domain } = compiled.tracking;
  const trackingUrl = domain ? `https://${domain}` : publicUrl;
  // Anonymous tracking signs the campaign's id where the message's would be: no token names the reader.
  const by: TrackedBy = mode === 'anonymous' ? { campaignId: compiled.id } : { messageId };
  const bounceAddress = settings.bounceAddress ?? `bounces@${compiled.from.domain}`;
  // A tracked HTML body gets the open pixel and, beside it, the hidden honeypot link.
  const pixelled = compiled.html !== null && mode !== 'off';
  const claims: TokenClaims[] = [{ kind: 'unsubscribe', messageId }];
  if (pixelled) {
    claims.push(
      'campaignId' in by ? { kind: 'anonymous-open', ...by } : { kind: 'open', ...by },
      'campaignId' in by ? { kind: 'anonymous-click', ...by, url: HONEYPOT_URL } : { kind: 'click', ...by, url: HONEYPOT_URL },
    );
  }
  const [unsubscribeToken, openToken, honeypotToken] = signTokens(keys, claims) as [string, string?, string?];
  const unsubscribeUrl = `${publicUrl}/u/${unsubscribeToken}`;
  // Anonymous: a link built by Liquid stays untracked, or its token could carry the reader's data.
  const links = createLinkTracker(publicUrl, { trackingUrl, track: mode !== 'off', fixedOnly: mode === 'anonymous' });
  const state: RenderState = {
    link: links.mark,
    openPixelUrl: openToken ? `${trackingUrl}/t/o/${openToken}` : '',
    ...(honeypotToken ? { honeypotUrl: `${trackingUrl}/t/c/${honeypotToken}` } : {}),
    preheader: '',
  };
  const scope = {
    subscriber: { id: subscriber.id, email: subscriber.email, name: subscriber.name, attributes: subscriber.attributes },
    campaign: { id: compiled.id, name: compiled.name },
    unsubscribe_url: unsubscribeUrl,
    // One page for both until there is a preferences page.
    preferences_url: unsubscribeUrl,
    [RENDER_STATE]: state,
  };
  const pixel = openToken ? openPixelHtml(state.openPixelUrl) + honeypotLinkHtml(state.honeypotUrl) : '';
  const run: PlanRun = { scope, links, pixel, preheader: '', outputs: new Map() };
  const subject = renderPart(compiled.subject, run, 'subject');
  // Rendered before the body that shows it; it holds no links (compile-campaign.ts), so it needs no signing.
  if (compiled.preheader) state.preheader = run.preheader = preheaderHtml(finishPart(renderPart(compiled.preheader, run, 'preheader'), NO_LINKS).text);
  const html = compiled.html ? renderPart(compiled.html, run, 'body') : null;
  const text = renderPart(compiled.text, run, 'body');
  const signed = links.sign(keys, by);
  const htmlPieces = html && finishPart(html, signed);
  const textPieces = finishPart(text, signed);
  return {
    from: compiled.fromHeader,
    to: formatMailbox(subscriber.name, subscriber.email),
    subject: oneLine(finishPart(subject, signed).text),
    html: htmlPieces && htmlPieces.text,
    text: textPieces.text,
    bodyPieces: { html: htmlPieces, text: textPieces },
    envelopeFrom: verpAddress(keys, bounceAddress, messageId),
    messageIdHeader: messageIdHeader(messageId, compiled.id, keys.trackingKeyId, compiled.from.domain),
    headers: listUnsubscribeHeaders(unsubscribeUrl, bounceAddress, unsubscribeToken),
  };
}

const NO_LINKS: SwapMarkers = Object.assign((rendered: string) => rendered, { clickUrls: [] });

/**
 * Renders one part. A Liquid error here (a budget exceeded, a filter given data it cannot
 * take) will not go away on retry, so it becomes a TemplateError, like a compile error.
 */
function renderPart(plan: TemplatePlan, run: PlanRun, field: TemplateField): PlannedPart {
  try {
    return renderPlan(plan, run);
  } catch (err) {
    throw new TemplateError([liquidProblem(err, field, false)], 'the campaign does not render for this recipient');
  }
}

/** A header must stay one line whatever the merge fields hold. */
function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

function checkRecipient({ messageId, subscriber }: Recipient): void {
  // Tokens carry the id as 1 to 16 digits (shared/tokens.ts).
  if (!Number.isSafeInteger(messageId) || messageId < 1) throw new TypeError(`recipient.messageId must be a positive integer, got ${messageId}`);
  if (!subscriber || typeof subscriber.email !== 'string' || !isDeliverableAddress(subscriber.email)) {
    throw new TypeError(`recipient.subscriber.email is not a deliverable address: ${JSON.stringify(subscriber?.email)}`);
  }
  if (typeof subscriber.name !== 'string') throw new TypeError('recipient.subscriber.name must be a string (empty when unknown)');
  if (typeof subscriber.attributes !== 'object' || subscriber.attributes === null || Array.isArray(subscriber.attributes)) {
    throw new TypeError('recipient.subscriber.attributes must be an object');
  }
}

function checkSettings({ publicUrl, bounceAddress }: RenderSettings): void {
  if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(publicUrl) || publicUrl.endsWith('/')) {
    throw new TypeError(`settings.publicUrl must be an http(s) URL without a trailing slash, got ${JSON.stringify(publicUrl)}`);
  }
  if (bounceAddress !== undefined && !isDeliverableAddress(bounceAddress)) {
    throw new TypeError(`settings.bounceAddress must be an email address, got ${JSON.stringify(bounceAddress)}`);
  }
}
