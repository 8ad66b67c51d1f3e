// Decides, once per campaign, which links are tracked, and turns each tracked link's URL
// into a small Liquid template of its own: a URL may hold merge tags
// (`https://shop.example/?u={{ subscriber.id }}`), so it is only known per recipient. The
// link's place in the body becomes `{% edgepost_link n %}`, which renders that template in
// the body's scope (so links inside `{% for %}` loops work) and hands the URL to the
// per-recipient tracker (link-tracker.ts), which only has to sign.
import type { Liquid } from 'liquidjs';
import { restoreLiquid, type ProtectedText } from './liquid-placeholders';
import { LINK_TAG, OPEN_PIXEL_TAG, PREHEADER_TAG, liquidProblem, type LinkSource } from './liquid-engines';
import type { TemplateProblem } from './template-error';

/** Our tags in place of link, pixel and preheader words. */
export const OWN_TAGS = {
  link: (index: number) => `{% ${LINK_TAG} ${index} %}`,
  pixel: `{% ${OPEN_PIXEL_TAG} %}`,
  preheader: `{% ${PREHEADER_TAG} %}`,
};

const UNSUBSCRIBE_OUTPUT = /^\{\{-?\s*(unsubscribe_url|preferences_url)\s*-?\}\}$/;

/**
 * Whether a link is worth a template: http(s) links, and links built by Liquid (decided
 * again per recipient). Not `mailto:`, `tel:`, `#…` or relative links, and not the
 * unsubscribe link, which must work even where tracking is blocked.
 */
export function isTrackable(value: string, source: ProtectedText): boolean {
  const href = value.trim();
  const words = [...href.matchAll(source.words.pattern())];
  if (words.length === 0) return /^https?:\/\/\S/i.test(href);
  const only = words.length === 1 && words[0]![0] === href ? source.tokens[Number(words[0]![2])] : undefined;
  return !(only && UNSUBSCRIBE_OUTPUT.test(only.source));
}

export interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * Adds a link's URL (given with words for its Liquid) to `links` and returns its index,
 * or a problem when the URL opens a Liquid tag it does not close.
 */
export function addLink(
  value: string,
  source: ProtectedText,
  text: Liquid,
  links: LinkSource[],
  line: number | undefined,
): number | TemplateProblem {
  const url = restoreLiquid(value, source, OWN_TAGS);
  try {
    return links.push(/\{[{%]/.test(url) ? text.parse(url) : url) - 1;
  } catch (err) {
    const problem = liquidProblem(err, 'body', false);
    return {
      ...problem,
      ...(line ? { line } : {}),
      message: `the link ${url} must open and close its Liquid tags inside itself (${problem.message})`,
    };
  }
}

/** `text` with each edit's span replaced, edits sorted by position and not overlapping. */
export function applyEdits(text: string, edits: Edit[]): string {
  let out = '';
  let at = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + text.slice(at);
}
