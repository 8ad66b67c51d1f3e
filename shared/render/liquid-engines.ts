// The Liquid engines a campaign renders with: `html` escapes every output (HTML bodies),
// `text` does not (subject and plain text). Both are locked down, because a template is
// parsed on the edge when a campaign is saved and rendered for every recipient: no file
// access, no prototype access, unknown filters fail at save time, and each render has a
// time and memory budget so a runaway loop cannot stall a sender.
import { Liquid, LiquidError, Tag, type Context, type Emitter, type TagToken, type Template, type TopLevelToken } from 'liquidjs';
import type { TemplateField, TemplateProblem } from './template-error';

/** Where a render's per-recipient state sits in the Liquid scope: a symbol, so no template can name it. */
export const RENDER_STATE = Symbol('edgepost.render-state');

export interface RenderState {
  /**
   * What to write for a link's URL: a marker to sign after the render, or the URL itself when
   * it is not tracked. `fixed`: the URL is written in the template, with no Liquid in it.
   */
  link(url: string, fixed: boolean): string;
  /** What to write for the open pixel's URL (a marker too). */
  openPixelUrl: string;
  /** The signed click URL of the hidden honeypot link written beside the pixel; none when absent or empty. */
  honeypotUrl?: string;
  /** The hidden preheader block, rendered for this recipient (preheaderHtml); '' when none. */
  preheader: string;
}

/** A tracked link's URL: fixed, or a template when it holds Liquid. */
export type LinkSource = string | Template[];

export interface LiquidEngines {
  html: Liquid;
  text: Liquid;
}

/** Our own tags, written into templates at compile time; the names keep clear of Liquid's. */
export const LINK_TAG = 'edgepost_link';
export const OPEN_PIXEL_TAG = 'edgepost_open_pixel';
export const PREHEADER_TAG = 'edgepost_preheader';

const PARSE_LIMIT = 5_000_000; // characters per template: MJML output of a large campaign fits
const RENDER_LIMIT_MS = 1_000; // a message renders in well under a millisecond
// Characters and array elements Liquid may create per render. A range counts its length, so
// `(1..subscriber.attributes.n)` with a huge n fails at once instead of filling the memory.
const MEMORY_LIMIT = 2_000_000;

/**
 * Both engines of one compiled campaign. `links[n]` is the n-th tracked link's URL;
 * `{% edgepost_link n %}` renders it in place and hands it to the render state. Fill the
 * array before parsing templates that use the tag.
 */
export function createLiquidEngines(links: readonly LinkSource[]): LiquidEngines {
  const html = lockedDownLiquid('escape');
  const text = lockedDownLiquid(undefined);
  // A link's own template is parsed by the text engine (link-rewrites.ts): its URL is escaped once, where the link is written.
  html.registerTag(LINK_TAG, linkTag(links, text, escapeHtml));
  text.registerTag(LINK_TAG, linkTag(links, text, (url) => url));
  html.registerTag(OPEN_PIXEL_TAG, OpenPixelTag);
  html.registerTag(PREHEADER_TAG, PreheaderTag);
  return { html, text };
}

/** A Liquid engine with the limits every campaign template renders under (time, memory, size; no partials). Exported for the dashboard's preview. */
export function lockedDownLiquid(outputEscape: 'escape' | undefined): Liquid {
  const liquid = new Liquid({
    ...(outputEscape ? { outputEscape } : {}),
    strictFilters: true, // a misspelt filter is an error when the campaign is saved
    strictVariables: false, // a missing attribute renders empty, so `default` can fill it
    ownPropertyOnly: true, // no `constructor` or `__proto__` from subscriber data
    templates: {}, // partials resolve against nothing: never the file system
    timezoneOffset: 0, // `date` gives the same answer on the edge and in every sender
    parseLimit: PARSE_LIMIT,
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
  });
  for (const name of ['include', 'render', 'layout']) liquid.registerTag(name, unsupportedTag(name));
  return liquid;
}

function unsupportedTag(name: string) {
  return class UnsupportedTag extends Tag {
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
      super(token, remainTokens, liquid);
      throw new Error(`{% ${name} %} is not supported: a campaign is one template, so paste the content in instead`);
    }
    render(): void {}
  };
}

/** `{% edgepost_link n %}`: the n-th tracked link. Exported so a campaign's plan can find it (template-plan.ts). */
export abstract class LinkTag extends Tag {
  /** The link's URL: fixed, or a template of its own. */
  readonly href: LinkSource;
  /** The engine that parsed `href` when it is a template. */
  readonly hrefEngine: Liquid;
  /** What the URL goes through before it is written: HTML escaping, or nothing in text. */
  readonly encode: (url: string) => string;

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, links: readonly LinkSource[], hrefEngine: Liquid, encode: (url: string) => string) {
    super(token, remainTokens, liquid);
    const args = token.args.trim();
    const href = /^\d+$/.test(args) ? links[Number(args)] : undefined;
    if (href === undefined) throw new Error(`{% ${LINK_TAG} %} is Edgepost's own tag: write the link itself instead`);
    this.href = href;
    this.hrefEngine = hrefEngine;
    this.encode = encode;
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    // Most links are fixed: only those with Liquid pay for a render of their own.
    const url = typeof this.href === 'string' ? this.href : String(yield this.liquid.renderer.renderTemplates(this.href, ctx));
    emitter.write(this.encode(renderState(ctx).link(url, typeof this.href === 'string')));
  }
}

function linkTag(links: readonly LinkSource[], hrefEngine: Liquid, encode: (value: string) => string) {
  return class BoundLinkTag extends LinkTag {
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
      super(token, remainTokens, liquid, links, hrefEngine, encode);
    }
  };
}

/** `{% edgepost_open_pixel %}`: the open pixel (and the honeypot link), just before `</body>`. */
export class OpenPixelTag extends Tag {
  render(ctx: Context, emitter: Emitter): void {
    const state = renderState(ctx);
    emitter.write(openPixelHtml(state.openPixelUrl) + honeypotLinkHtml(state.honeypotUrl));
  }
}

/** `{% edgepost_preheader %}`: the hidden preheader block, right after `<body>`. */
export class PreheaderTag extends Tag {
  render(ctx: Context, emitter: Emitter): void {
    emitter.write(renderState(ctx).preheader);
  }
}

// MJML's own `mj-preview` block: shown by inbox lists after the subject, never in the message.
const PREHEADER_STYLE = 'display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;opacity:0;overflow:hidden;';

/** The hidden preheader block for a recipient's rendered preheader text (escaped here), or nothing when it is blank. */
export function preheaderHtml(text: string): string {
  return text.trim() ? `<div style="${PREHEADER_STYLE}">${escapeHtml(text)}</div>` : '';
}

/**
 * The honeypot link (docs/machine-detection.md) for its signed click URL, or nothing: no
 * text, hidden from view, from screen readers and from the tab order, so only a machine
 * that follows every href reaches it.
 */
export function honeypotLinkHtml(url: string | undefined): string {
  return url ? `<a href="${escapeHtml(url)}" style="display:none;" aria-hidden="true" tabindex="-1"></a>` : '';
}

/** The open pixel's `<img>` for its URL. */
export function openPixelHtml(url: string): string {
  return `<img src="${escapeHtml(url)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;" />`;
}

function renderState(ctx: Context): RenderState {
  const state = (ctx.environments as Record<symbol, RenderState | undefined>)[RENDER_STATE];
  if (!state) throw new Error('a campaign template was rendered without its render state');
  return state;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/** Escapes text for an HTML text node or quoted attribute, as Liquid's `escape` does. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * A Liquid parse error as a problem for the marketer. `line` is only meaningful when the
 * parsed text is the field as written; pass `withLine: false` for text derived from it.
 */
export function liquidProblem(err: unknown, field: TemplateField, withLine = true): TemplateProblem {
  if (!LiquidError.is(err)) throw err;
  const [line, column] = err.token.getPosition() as [number, number];
  const reason = (err.originalError?.message ?? err.message).replace(/, line:\d+, col:\d+$/, '');
  return withLine
    ? { field, line, message: `Liquid: ${reason} (column ${column})` }
    : { field, message: `Liquid: ${reason}` };
}

/**
 * Parses a template derived from the body (HTML with our tags, or its plain text). The body
 * parsed on its own, so a failure means a tag sits where this part cannot keep it (in
 * <head>, a comment or <style>) apart from its partner in the body.
 */
export function parseDerived(engine: Liquid, template: string, part: string, problems: TemplateProblem[]): Template[] | null {
  try {
    return engine.parse(template);
  } catch (err) {
    const reason = liquidProblem(err, 'body', false).message;
    problems.push({
      field: 'body',
      message: `${part} of the body does not keep its Liquid tags together (${reason}): keep each {% if %}/{% for %} and its end inside <body>, outside comments and <style>`,
    });
    return null;
  }
}
