// Liquid has to pass through MJML, an HTML tokenizer and html-to-text, none of which know
// it: `{{ name | default: "a" }}` inside an attribute breaks MJML's XML, and html-to-text
// would decode, rewrap or uppercase it. So every Liquid token is swapped for an inert word
// (lower-case letters and digits, which none of them rewrites), the text goes through the
// tools, and the words are swapped back. A random per-compile prefix keeps the words apart
// from anything the marketer wrote.
import { Tokenizer, TokenKind, type Liquid, type TagToken } from 'liquidjs';

export interface LiquidToken {
  /** The token as written: `{{ x }}`, `{% if x %}`, or a whole `{% raw %}…{% endraw %}` block. */
  source: string;
  /** Outputs (and raw blocks) may be copied or dropped by a tool; tags must survive exactly once. */
  kind: 'output' | 'tag';
  /** 1-based line where the token starts in the original. */
  line: number;
}

/** The inert words of one compile: `o`utput, `t`ag, `k` (tracked link), `p`ixel, `h` (preheader). */
export interface Words {
  prefix: string;
  liquid(index: number, kind: LiquidToken['kind']): string;
  link(index: number): string;
  pixel: string;
  preheader: string;
  /** Matches any word; group 1 is the kind letter, group 2 the index. */
  pattern(): RegExp;
  /** Matches the words of Liquid tags, which a bare URL in text must stop at. */
  tagPattern(): RegExp;
}

export interface ProtectedText {
  /** The original with each Liquid token replaced by its word. */
  text: string;
  tokens: LiquidToken[];
  words: Words;
  /** The original line of a line of `text` (Liquid tokens may span lines, words never do). */
  originalLine(protectedLine: number): number;
}

/** A fresh prefix for one compile's words, absent from `source`. */
export function createWords(source: string): Words {
  let prefix: string;
  do {
    const bytes = crypto.getRandomValues(new Uint8Array(6));
    prefix = `ep${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  } while (source.includes(prefix));
  return {
    prefix,
    liquid: (index, kind) => `${prefix}${kind === 'tag' ? 't' : 'o'}${index}z`,
    link: (index) => `${prefix}k${index}z`,
    pixel: `${prefix}p0z`,
    preheader: `${prefix}h0z`,
    pattern: () => new RegExp(`${prefix}([otkph])(\\d+)z`, 'g'),
    tagPattern: () => new RegExp(`${prefix}t\\d+z`),
  };
}

/** Swaps every Liquid token of `source` for a word. Throws Liquid's TokenizationError on an unclosed `{{` or `{%`. */
export function protectLiquid(source: string, liquid: Liquid, words: Words): ProtectedText {
  const found = new Tokenizer(source, liquid.options.operators).readTopLevelTokens(liquid.options);
  const tokens: LiquidToken[] = [];
  const shifts: Array<{ fromLine: number; removed: number }> = [];
  let text = '';
  let line = 1; // original line at the current position
  let removed = 0; // newlines swallowed by words so far
  for (let i = 0; i < found.length; i++) {
    const token = found[i]!;
    if (token.kind === TokenKind.HTML) {
      const html = token.getText();
      text += html;
      line += countNewlines(html);
      continue;
    }
    let end = token.end;
    let kind: LiquidToken['kind'] = token.kind === TokenKind.Output ? 'output' : 'tag';
    if (token.kind === TokenKind.Tag && (token as TagToken).name === 'raw') {
      // A raw block is literal text: keep it whole, so no tool touches what it protects.
      while (i + 1 < found.length && !isEndraw(found[i]!)) end = found[++i]!.end;
      kind = 'output';
    }
    const tokenSource = source.slice(token.begin, end);
    text += words.liquid(tokens.length, kind);
    tokens.push({ source: tokenSource, kind, line });
    const newlines = countNewlines(tokenSource);
    if (newlines > 0) {
      line += newlines;
      removed += newlines;
      shifts.push({ fromLine: line - removed + 1, removed });
    }
  }
  return {
    text,
    tokens,
    words,
    originalLine(protectedLine) {
      let shift = 0;
      for (const s of shifts) if (protectedLine >= s.fromLine) shift = s.removed;
      return protectedLine + shift;
    },
  };
}

export interface OwnTags {
  /** What a tracked link's word becomes, e.g. `{% edgepost_link 3 %}`. */
  link(index: number): string;
  /** What the pixel's word becomes. */
  pixel: string;
  /** What the preheader's word becomes. */
  preheader: string;
}

/**
 * Puts the Liquid back into text that came out of the tools, and our own tags in place of
 * link, pixel and preheader words. Braces the tools produced themselves (MJML's CSS, or `&#123;&#123;`
 * that html-to-text decoded) are wrapped in `{% raw %}`, so they stay text.
 */
export function restoreLiquid(text: string, protectedText: ProtectedText, ownTags: OwnTags): string {
  const escaped = text.replace(/\{(?=[{%])/g, '{% raw %}{{% endraw %}');
  return escaped.replace(protectedText.words.pattern(), function restoreWord(word, kind: string, index: string) {
    if (kind === 'k') return ownTags.link(Number(index));
    if (kind === 'p') return ownTags.pixel;
    if (kind === 'h') return ownTags.preheader;
    return protectedText.tokens[Number(index)]?.source ?? word;
  });
}

/** How often each Liquid token's word occurs in `text`, by token index. */
export function countLiquidWords(text: string, words: Words): Map<number, number> {
  const counts = new Map<number, number>();
  for (const match of text.matchAll(words.pattern())) {
    if (match[1] !== 'o' && match[1] !== 't') continue;
    const index = Number(match[2]);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

/** The 1-based line of `offset` in `text`. */
export function lineAt(text: string, offset: number): number {
  return countNewlines(text.slice(0, offset)) + 1;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function isEndraw(token: { kind: number }): boolean {
  return token.kind === TokenKind.Tag && (token as TagToken).name === 'endraw';
}
