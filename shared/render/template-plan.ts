// A campaign part as a plan, made once per campaign, so that a render runs no template loop
// over static text: the static text is plain strings, an output is a hole that liquidjs
// itself fills (render-plan.ts), evaluated once per render however often it repeats, and a
// tracked link is a slot for its signed URL. Any other tag (`if`, `for`, `assign`…) stays a
// template that liquidjs renders in its place, in the part's context, as the engine would.
import {
  BreakTag,
  CaseTag,
  CommentTag,
  ContinueTag,
  CycleTag,
  EchoTag,
  ForTag,
  IfTag,
  InlineCommentTag,
  LiquidTag,
  Output,
  RawTag,
  TablerowTag,
  TokenKind,
  UnlessTag,
  toValueSync,
  type Liquid,
  type Template,
} from 'liquidjs';
import { LinkTag, OpenPixelTag, PreheaderTag } from './liquid-engines';
import { splitForTidy } from './tidy-text';

export type PlanStep =
  | { kind: 'text'; text: string }
  /** `key` names the output among the campaign's; null when it must be evaluated each time. */
  | { kind: 'output'; output: Output; key: string | null }
  /** A tracked link whose URL is fixed or made of text and outputs. */
  | { kind: 'link'; href: string | TemplatePlan; encode: (url: string) => string }
  | { kind: 'pixel' }
  | { kind: 'preheader' }
  /** Anything else, rendered by liquidjs; it may write link markers. */
  | { kind: 'tag'; template: Template; keepsScope: boolean };

export interface TemplatePlan {
  engine: Liquid;
  steps: PlanStep[];
  /** Set when the rendered text is to be tidied (tidy-text.ts): which steps are tidied insides of static text. */
  inside?: readonly boolean[];
}

// Filters whose result depends on their input alone, so an output made of them has one value
// per render. Not `date` (it reads the clock for "now") nor `sample` (random), nor any filter
// not listed here: those outputs are evaluated every time, as the engine would.
const PURE_FILTERS = new Set([
  'raw', 'default', 'escape', 'escape_once', 'xml_escape', 'newline_to_br', 'strip_html',
  'url_encode', 'url_decode', 'cgi_escape', 'uri_escape', 'slugify',
  'append', 'prepend', 'capitalize', 'downcase', 'upcase', 'strip', 'lstrip', 'rstrip', 'squish',
  'strip_newlines', 'normalize_whitespace', 'remove', 'remove_first', 'remove_last',
  'replace', 'replace_first', 'replace_last', 'truncate', 'truncatewords', 'split', 'join',
  'first', 'last', 'size', 'abs', 'at_least', 'at_most', 'ceil', 'floor', 'round', 'plus',
  'minus', 'times', 'divided_by', 'modulo', 'to_integer', 'json', 'jsonify',
]);

/**
 * The plan of a part parsed by `engine`. `engineKey` tells the campaign's two engines apart
 * in output keys; `tidy` prepares a plain-text part whose render is tidied.
 */
export function planTemplate(templates: Template[], engine: Liquid, engineKey: string, tidy = false): TemplatePlan {
  const steps: PlanStep[] = [];
  for (const template of templates) {
    const step = planStep(template, engine, engineKey);
    const last = steps.at(-1);
    if (step.kind === 'text' && last?.kind === 'text') last.text += step.text;
    else steps.push(step);
  }
  return tidy ? tidyPlan(engine, steps) : { engine, steps };
}

function planStep(template: Template, engine: Liquid, engineKey: string): PlanStep {
  if (isStatic(template)) return { kind: 'text', text: String(engine.renderSync([template], {})) };
  if (template instanceof Output) return { kind: 'output', output: template, key: outputKey(template, engine, engineKey) };
  if (template instanceof OpenPixelTag) return { kind: 'pixel' };
  if (template instanceof PreheaderTag) return { kind: 'preheader' };
  if (template instanceof LinkTag) {
    if (typeof template.href === 'string') return { kind: 'link', href: template.href, encode: template.encode };
    // A link whose URL holds tags of its own is left to the tag.
    const href = planTemplate(template.href, template.hrefEngine, 't');
    if (href.steps.every((step) => step.kind === 'text' || step.kind === 'output')) return { kind: 'link', href, encode: template.encode };
  }
  return { kind: 'tag', template, keepsScope: keepsScope(template) };
}

// Tags that write nothing an output reads (`for` and `tablerow` pop what they push; `cycle`
// keeps its state aside). `assign`, `capture`, `increment` and `decrement` do write.
const SCOPE_KEEPING_TAGS = [IfTag, UnlessTag, CaseTag, ForTag, TablerowTag, LiquidTag, CycleTag, EchoTag, BreakTag, ContinueTag];

/** Whether the outputs after `template` read what they read before it: then their values are still good. */
function keepsScope(template: Template): boolean {
  if (isStatic(template) || template instanceof Output || template instanceof OpenPixelTag || template instanceof PreheaderTag) return true;
  if (template instanceof LinkTag) return typeof template.href === 'string' || template.href.every(keepsScope);
  if (!SCOPE_KEEPING_TAGS.some((tag) => template instanceof tag)) return false;
  const children = template.children ? toValueSync(template.children(false, true)) : [];
  return children.every(keepsScope);
}

/** Templates whose output never depends on the scope: rendered once, here, by liquidjs. */
function isStatic(template: Template): boolean {
  return (
    (template as { token?: { kind?: unknown } }).token?.kind === TokenKind.HTML ||
    template instanceof RawTag ||
    template instanceof CommentTag ||
    template instanceof InlineCommentTag
  );
}

/** Static text split into its edges and its tidied inside, each a step of its own. */
function tidyPlan(engine: Liquid, steps: PlanStep[]): TemplatePlan {
  const tidied: PlanStep[] = [];
  const inside: boolean[] = [];
  const push = (step: PlanStep, isInside: boolean) => (tidied.push(step), inside.push(isInside));
  for (const step of steps) {
    if (step.kind !== 'text') {
      push(step, false);
      continue;
    }
    const split = splitForTidy(step.text);
    if (split.lead) push({ kind: 'text', text: split.lead }, false);
    if (split.inside) push({ kind: 'text', text: split.inside }, true);
    if (split.trail) push({ kind: 'text', text: split.trail }, false);
  }
  return { engine, steps: tidied, inside };
}

/**
 * The same expression written twice renders the same text in one render, when every filter
 * it uses is pure: the key is the expression and the engine (the HTML engine appends its
 * escape filter). Null when some filter is not known to be pure.
 */
function outputKey(output: Output, engine: Liquid, engineKey: string): string | null {
  const filters = output.value.filters;
  // The engine's own escape filter, appended unless the output ends in `raw` (liquidjs's Output).
  const escapeAppended = Boolean(engine.options.outputEscape) && filters.length > 0 && !filters.at(-1)!.raw;
  const written = escapeAppended ? filters.slice(0, -1) : filters;
  if (!written.every((filter) => PURE_FILTERS.has(filter.name))) return null;
  return `${engineKey}${output.token.content.trim()}`;
}
