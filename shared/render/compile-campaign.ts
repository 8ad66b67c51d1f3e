// A campaign compiled once: MJML to HTML, every Liquid template parsed, links found, the
// plain-text part made. The edge runs this when a campaign is saved (to refuse a broken
// one), the sender once per campaign; renderMessage then only merges and signs.
import type { Template } from 'liquidjs';
import { trackingModes, type TrackingMode } from '../db/tables/sending';
import { compileHtmlBody, type BodyTemplates } from './compile-html-body';
import { compileMjml } from './compile-mjml';
import { compileTextBody } from './compile-text-body';
import { formatMailbox, parseMailbox, type Mailbox } from './email-address';
import { createLiquidEngines, liquidProblem, type LinkSource, type LiquidEngines } from './liquid-engines';
import { createWords, lineAt, protectLiquid, type ProtectedText } from './liquid-placeholders';
import type { Mjml2Html } from './mjml';
import { planTemplate, type TemplatePlan } from './template-plan';
import { TemplateError, type TemplateProblem } from './template-error';

export { TemplateError, type TemplateProblem } from './template-error';

export type CampaignFormat = 'mjml' | 'html' | 'text';

export interface CampaignSource {
  id: number;
  name: string;
  /** One line of Liquid. */
  subject: string;
  /** `news@shop.example` or `Shop <news@shop.example>`. */
  fromAddress: string;
  /** One line of Liquid shown by inbox lists after the subject, hidden in HTML bodies; '' (the default): none. */
  preheader?: string;
  format: CampaignFormat;
  body: string;
  /** How its messages are tracked, the campaign's choices resolved against the install's; default: on, PUBLIC_URL. */
  trackingPolicy?: TrackingPolicy;
}

/** A campaign's effective tracking. */
export interface TrackingPolicy {
  mode: TrackingMode;
  /** Host name for pixel and click URLs instead of PUBLIC_URL's; null: PUBLIC_URL's. */
  domain: string | null;
}

export interface CompiledCampaign {
  id: number;
  name: string;
  format: CampaignFormat;
  from: Mailbox;
  /** The From header value. */
  fromHeader: string;
  /** Each part parsed and planned (template-plan.ts). */
  subject: TemplatePlan;
  /** Rendered into HTML bodies only; null when the campaign has none or no HTML body. */
  preheader: TemplatePlan | null;
  /** Null for `text` campaigns. */
  html: TemplatePlan | null;
  text: TemplatePlan;
  /** How many links the body tracks, as written (a link in a loop counts once). */
  trackedLinks: number;
  tracking: TrackingPolicy;
}

const FORMATS: readonly string[] = ['mjml', 'html', 'text'];
const MAX_SUBJECT = 998; // RFC 5322's line limit
/** The longest preheader accepted; inboxes show about 100 characters. */
export const MAX_PREHEADER = 500;
const OWN_TAG = /\{%-?\s*edgepost_/;

/** Compiles a campaign or throws a TemplateError listing every problem, by field and line. */
export async function compileCampaign(source: CampaignSource, mjml2html: Mjml2Html): Promise<CompiledCampaign> {
  checkShape(source);
  const problems: TemplateProblem[] = [];
  const from = parseMailbox(source.fromAddress);
  if (!from.ok) problems.push({ field: 'fromAddress', message: from.reason });
  const links: LinkSource[] = [];
  const engines = createLiquidEngines(links);
  const subject = compileSubject(source.subject, engines, problems);
  const preheader = source.format === 'text' ? null : compilePreheader(source.preheader ?? '', engines, problems);
  const words = createWords(source.body);
  const body = await compileBody(source, engines, links, words, mjml2html, problems, preheader !== null);
  if (problems.length > 0 || !from.ok || !subject || !body) throw new TemplateError(problems);
  return {
    id: source.id,
    name: source.name,
    format: source.format,
    from: from.mailbox,
    fromHeader: formatMailbox(from.mailbox.name, from.mailbox.address),
    subject: planTemplate(subject, engines.text, 't'),
    // Rendered as text and escaped whole (preheaderHtml): the marketer's `&` is text, not an entity.
    preheader: preheader && body.html ? planTemplate(preheader, engines.text, 't') : null,
    html: body.html && planTemplate(body.html, engines.html, 'h'),
    // Liquid tags in the HTML leave empty lines in its text version; a text campaign's own spacing is the author's.
    text: planTemplate(body.text, engines.text, 't', body.html !== null),
    trackedLinks: links.length,
    tracking: source.trackingPolicy ?? { mode: 'on', domain: null },
  };
}

/** The preheader's templates; null when it is empty (no hidden block at all). */
function compilePreheader(preheader: string, engines: LiquidEngines, problems: TemplateProblem[]): Template[] | null {
  if (!preheader.trim()) return null;
  if (preheader.length > MAX_PREHEADER) {
    problems.push({ field: 'preheader', message: `the preheader is ${preheader.length} characters long: keep it under ${MAX_PREHEADER}` });
    return null;
  }
  // Our own tags write links and the pixel, which have no place in a hidden line of text.
  if (OWN_TAG.test(preheader)) {
    problems.push({ field: 'preheader', message: 'the preheader uses an {% edgepost_… %} tag, which is Edgepost\'s own: write the text itself instead' });
    return null;
  }
  try {
    return engines.text.parse(preheader);
  } catch (err) {
    problems.push(liquidProblem(err, 'preheader'));
    return null;
  }
}

function compileSubject(subject: string, engines: LiquidEngines, problems: TemplateProblem[]): Template[] | null {
  const problem = (message: string) => (problems.push({ field: 'subject', message }), null);
  if (!subject.trim()) return problem('the subject is empty');
  if (/[\r\n]/.test(subject)) return problem('the subject must be one line');
  if (subject.length > MAX_SUBJECT) return problem(`the subject is ${subject.length} characters long: keep it under ${MAX_SUBJECT}`);
  try {
    return engines.text.parse(subject);
  } catch (err) {
    problems.push(liquidProblem(err, 'subject'));
    return null;
  }
}

async function compileBody(
  source: CampaignSource,
  engines: LiquidEngines,
  links: LinkSource[],
  words: ReturnType<typeof createWords>,
  mjml2html: Mjml2Html,
  problems: TemplateProblem[],
  preheader: boolean,
): Promise<BodyTemplates | null> {
  if (!source.body.trim()) {
    problems.push({ field: 'body', message: `the body is empty: write the campaign in ${source.format.toUpperCase()}` });
    return null;
  }
  const engine = source.format === 'text' ? engines.text : engines.html;
  let protectedBody: ProtectedText;
  try {
    // Parsed as written first, so Liquid errors carry the marketer's line numbers.
    engine.parse(source.body);
    protectedBody = protectLiquid(source.body, engine, words);
  } catch (err) {
    problems.push(liquidProblem(err, 'body'));
    return null;
  }
  switch (source.format) {
    case 'text': {
      const text = compileTextBody(protectedBody, engines, links, problems);
      return text && { html: null, text };
    }
    case 'html': {
      const lineOf = (offset: number) => protectedBody.originalLine(lineAt(protectedBody.text, offset));
      return compileHtmlBody(protectedBody.text, protectedBody, engines, links, problems, lineOf, preheader);
    }
    case 'mjml': {
      const compiled = await compileMjml(protectedBody, mjml2html);
      problems.push(...compiled.problems);
      // Lines of MJML's output mean nothing to the marketer: problems there name the link instead.
      return compiled.html === null ? null : compileHtmlBody(compiled.html, protectedBody, engines, links, problems, () => undefined, preheader);
    }
  }
}

function checkShape(source: CampaignSource): void {
  if (!Number.isSafeInteger(source.id) || source.id < 1) throw new TypeError(`campaign id must be a positive integer, got ${source.id}`);
  for (const field of ['name', 'subject', 'fromAddress', 'body'] as const) {
    if (typeof source[field] !== 'string') throw new TypeError(`campaign ${field} must be a string`);
  }
  if (source.preheader !== undefined && typeof source.preheader !== 'string') throw new TypeError('campaign preheader must be a string');
  const policy = source.trackingPolicy;
  if (policy && !trackingModes.includes(policy.mode)) {
    throw new TypeError(`campaign trackingPolicy.mode must be one of ${trackingModes.join(', ')}, got ${String(policy.mode)}`);
  }
  if (policy && policy.domain !== null && !/^[a-z0-9.-]+$/.test(policy.domain)) {
    throw new TypeError(`campaign trackingPolicy.domain must be a lower-case host name, got ${JSON.stringify(policy.domain)}`);
  }
  if (!FORMATS.includes(source.format)) throw new TypeError(`campaign format must be one of ${FORMATS.join(', ')}, got ${String(source.format)}`);
}
