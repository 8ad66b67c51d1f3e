// HTML (written by the marketer, or compiled from MJML) to a campaign's two body
// templates: the HTML part with tracked links and the open pixel, and the plain-text part
// made from the same HTML, with the same links.
import type { Template } from 'liquidjs';
import { scanHtml } from './html-links';
import { parseDerived, type LinkSource, type LiquidEngines } from './liquid-engines';
import { restoreLiquid, type ProtectedText } from './liquid-placeholders';
import { OWN_TAGS, addLink, applyEdits, isTrackable, type Edit } from './link-rewrites';
import { htmlToPlainText } from './plain-text';
import type { TemplateProblem } from './template-error';

export interface BodyTemplates {
  html: Template[] | null;
  text: Template[];
}

/**
 * `html` still carries the words of `source` (liquid-placeholders.ts). `lineOf` maps an
 * offset in `html` to the marketer's line, when there is one (not for MJML output).
 * `preheader`: the campaign has one, so the body gets its place.
 */
export function compileHtmlBody(
  html: string,
  source: ProtectedText,
  engines: LiquidEngines,
  links: LinkSource[],
  problems: TemplateProblem[],
  lineOf: (offset: number) => number | undefined,
  preheader = false,
): BodyTemplates | null {
  const scan = scanHtml(html);
  const linkEdits: Edit[] = [];
  const linkProblems: TemplateProblem[] = [];
  for (const link of scan.links) {
    if (!isTrackable(link.href, source)) continue;
    const index = addLink(link.href, source, engines.text, links, lineOf(link.start));
    if (typeof index !== 'number') linkProblems.push(index);
    else linkEdits.push({ start: link.start, end: link.end, text: `href="${source.words.link(index)}"` });
  }
  if (linkProblems.length > 0) {
    problems.push(...linkProblems);
    return null;
  }

  // Just before </body>: after the content, so the 1×1 image never shifts what the reader sees.
  const pixelAt = scan.bodyEnd ?? html.length;
  // Right after <body>, where MJML's mj-preview puts it: the first text an inbox list shows.
  const preheaderAt = scan.bodyStart ?? 0;
  const preheaderEdit: Edit[] = preheader ? [{ start: preheaderAt, end: preheaderAt, text: source.words.preheader }] : [];
  const page = applyEdits(html, [...preheaderEdit, ...linkEdits, { start: pixelAt, end: pixelAt, text: source.words.pixel }]);
  const plain = htmlToPlainText(applyEdits(html, linkEdits));
  const htmlTemplate = parseDerived(engines.html, restoreLiquid(page, source, OWN_TAGS), 'the HTML', problems);
  const textTemplate = parseDerived(engines.text, restoreLiquid(plain, source, OWN_TAGS), 'the plain-text version', problems);
  return htmlTemplate && textTemplate ? { html: htmlTemplate, text: textTemplate } : null;
}
