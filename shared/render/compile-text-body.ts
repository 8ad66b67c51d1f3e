// A plain-text campaign's body: the text is the message, and its bare http(s) URLs are
// its links, tracked like the links of an HTML campaign.
import type { Template } from 'liquidjs';
import { parseDerived, type LinkSource, type LiquidEngines } from './liquid-engines';
import { lineAt, restoreLiquid, type ProtectedText } from './liquid-placeholders';
import { OWN_TAGS, addLink, applyEdits, isTrackable, type Edit } from './link-rewrites';
import type { TemplateProblem } from './template-error';
import { findTextUrls } from './text-links';

/** The text template of a `text` campaign, or null after adding its problems. */
export function compileTextBody(
  source: ProtectedText,
  engines: LiquidEngines,
  links: LinkSource[],
  problems: TemplateProblem[],
): Template[] | null {
  const edits: Edit[] = [];
  const linkProblems: TemplateProblem[] = [];
  // A tag ends a URL: `https://x.example/{% if a %}` would split an if across templates.
  for (const url of findTextUrls(source.text, source.words.tagPattern())) {
    const value = source.text.slice(url.start, url.end);
    if (!isTrackable(value, source)) continue;
    const line = source.originalLine(lineAt(source.text, url.start));
    const index = addLink(value, source, engines.text, links, line);
    if (typeof index !== 'number') linkProblems.push(index);
    else edits.push({ start: url.start, end: url.end, text: source.words.link(index) });
  }
  if (linkProblems.length > 0) {
    problems.push(...linkProblems);
    return null;
  }
  return parseDerived(engines.text, restoreLiquid(applyEdits(source.text, edits), source, OWN_TAGS), 'the text', problems);
}
