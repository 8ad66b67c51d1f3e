// The live preview, compiled in the browser (imported lazily: mjml-browser alone is over a
// megabyte). Problems come from the sender's own compileCampaign with mjml-browser, the
// compiler the Worker uses, so the editor flags what the API would refuse, on the same
// lines. The picture fills the merge tags with a sample subscriber, HTML-escaped as in the
// real message, so the marketer sees a message rather than its template.
import type { Liquid } from 'liquidjs';
import mjml2html from 'mjml-browser';
import { compileCampaign, TemplateError } from '../../../../../shared/render/compile-campaign';
import { lockedDownLiquid } from '../../../../../shared/render/liquid-engines';
import { SAMPLE_SUBSCRIBER } from './preview-sample';

export type BodyFormat = 'mjml' | 'html' | 'text';

export interface PreviewProblem {
  /** 1-based line in the body, when the problem has one. */
  line?: number;
  message: string;
}

export interface Preview {
  /** The message's HTML for the frame (a plain-text body shown as preformatted text). */
  html: string;
  /** What the API would refuse in the body, in body order. */
  problems: PreviewProblem[];
}

// compileCampaign checks subject and sender too; the form checks those, so stand-ins keep them quiet.
const STAND_IN = { id: 1, subject: 'Preview', fromAddress: 'preview@example.com' };
// The sender's own limits (render time, memory, no partials): a saved body that loops for
// minutes cannot hang the tab of whoever opens it.
const escaping = lockedDownLiquid('escape');
const plain = lockedDownLiquid(undefined);

/** Compiles a body for the preview: its problems and its HTML. */
export async function compilePreview(format: BodyFormat, body: string, campaignName: string): Promise<Preview> {
  const [problems, html] = await Promise.all([bodyProblems(format, body, campaignName), previewHtml(format, body, campaignName)]);
  return { html, problems };
}

async function bodyProblems(format: BodyFormat, body: string, name: string): Promise<PreviewProblem[]> {
  try {
    await compileCampaign({ ...STAND_IN, name: name || 'Campaign', format, body }, mjml2html);
    return [];
  } catch (err) {
    if (!(err instanceof TemplateError)) return [{ message: `The preview could not check the body: ${String(err)}` }];
    return err.problems
      .filter((p) => p.field === 'body')
      .map((p) => (p.line === undefined ? { message: p.message } : { line: p.line, message: p.message }))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  }
}

async function previewHtml(format: BodyFormat, body: string, name: string): Promise<string> {
  const data = { subscriber: SAMPLE_SUBSCRIBER, campaign: { name }, unsubscribe_url: '#unsubscribe', preferences_url: '#preferences' };
  const merged = await mergeSample(format === 'text' ? plain : escaping, body, data);
  if (format === 'text') return `<pre style="white-space:pre-wrap;font:15px/1.5 system-ui,sans-serif;margin:16px">${escapeHtml(merged)}</pre>`;
  if (format === 'html') return merged;
  try {
    // 'skip': the problems above are the judgement; here MJML draws whatever it can.
    return (await mjml2html(merged, { validationLevel: 'skip', ignoreIncludes: true })).html;
  } catch (err) {
    return `<p style="font:15px system-ui,sans-serif;margin:16px">MJML could not read the body: ${escapeHtml(String(err))}</p>`;
  }
}

/** The body with sample data in its tags, or as written when its Liquid does not parse (the problems say why). */
async function mergeSample(engine: Liquid, body: string, data: object): Promise<string> {
  try {
    return await engine.parseAndRender(body, data);
  } catch {
    return body;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
