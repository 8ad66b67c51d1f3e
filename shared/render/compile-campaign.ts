// A campaign compiled once: MJML to HTML, every Liquid template parsed, links found, the
// plain-text part made. The edge runs this when a campaign is saved (to refuse a broken
// one), the sender once per campaign; renderMessage then only merges and signs.
import type { Template } from 'liquidjs';
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
  format: CampaignFormat;
  body: string;
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
  /** Null for `text` campaigns. */
  html: TemplatePlan | null;
  text: TemplatePlan;
  /** How many links the body tracks, as written (a link in a loop counts once). */
  trackedLinks: number;
}

const FORMATS: readonly string[] = ['mjml', 'html', 'text'];
const MAX_SUBJECT = 998; // RFC 5322's line limit

/** Compiles a campaign or throws a TemplateError listing every problem, by field and line. */
export async function compileCampaign(source: CampaignSource, mjml2html: Mjml2Html): Promise<CompiledCampaign> {
  checkShape(source);
  const problems: TemplateProblem[] = [];
  const from = parseMailbox(source.fromAddress);
  if (!from.ok) problems.push({ field: 'fromAddress', message: from.reason });
  const links: LinkSource[] = [];
  const engines = createLiquidEngines(links);
  const subject = compileSubject(source.subject, engines, problems);
  const words = createWords(source.body);
  const body = await compileBody(source, engines, links, words, mjml2html, problems);
  if (problems.length > 0 || !from.ok || !subject || !body) throw new TemplateError(problems);
  return {
    id: source.id,
    name: source.name,
    format: source.format,
    from: from.mailbox,
    fromHeader: formatMailbox(from.mailbox.name, from.mailbox.address),
    subject: planTemplate(subject, engines.text, 't'),
    html: body.html && planTemplate(body.html, engines.html, 'h'),
    // Liquid tags in the HTML leave empty lines in its text version; a text campaign's own spacing is the author's.
    text: planTemplate(body.text, engines.text, 't', body.html !== null),
    trackedLinks: links.length,
  };
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
      return compileHtmlBody(protectedBody.text, protectedBody, engines, links, problems, lineOf);
    }
    case 'mjml': {
      const compiled = await compileMjml(protectedBody, mjml2html);
      problems.push(...compiled.problems);
      // Lines of MJML's output mean nothing to the marketer: problems there name the link instead.
      return compiled.html === null ? null : compileHtmlBody(compiled.html, protectedBody, engines, links, problems, () => undefined);
    }
  }
}

function checkShape(source: CampaignSource): void {
  if (!Number.isSafeInteger(source.id) || source.id < 1) throw new TypeError(`campaign id must be a positive integer, got ${source.id}`);
  for (const field of ['name', 'subject', 'fromAddress', 'body'] as const) {
    if (typeof source[field] !== 'string') throw new TypeError(`campaign ${field} must be a string`);
  }
  if (!FORMATS.includes(source.format)) throw new TypeError(`campaign format must be one of ${FORMATS.join(', ')}, got ${String(source.format)}`);
}
