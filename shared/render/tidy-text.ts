// The plain-text part of an HTML campaign keeps at most one blank line in a row: Liquid tags
// in the HTML leave empty lines behind. Tidying the whole text per render scans every
// character of it; a planned part (template-plan.ts) has the inside of its static text tidied
// once, at compile time, and only the stretches where merged values meet it per render.
// That gives the same text: a run of blank lines cannot cross a character that is not a
// space, tab or newline, and the inside of static text begins and ends with one.

const BLANK_LINES = /\n(?:[ \t]*\n){2,}/g;

/** At most one blank line in a row (blank: nothing but spaces), none at the ends. */
export function tidyText(text: string): string {
  return text.replace(BLANK_LINES, '\n\n').trim();
}

export interface SplitText {
  /** Spaces, tabs and newlines the text starts with: all of it when it holds nothing else. */
  lead: string;
  /** The rest, tidied: empty, or starting and ending with some other character. */
  inside: string;
  trail: string;
}

/** Splits static text into what can be tidied now and the edges a merged value may extend. */
export function splitForTidy(text: string): SplitText {
  let start = 0;
  while (start < text.length && isBlank(text[start]!)) start++;
  if (start === text.length) return { lead: text, inside: '', trail: '' };
  let end = text.length;
  while (isBlank(text[end - 1]!)) end--;
  return { lead: text.slice(0, start), inside: text.slice(start, end).replace(BLANK_LINES, '\n\n'), trail: text.slice(end) };
}

/**
 * tidyText of the joined pieces, when `inside[i]` marks the pieces that are already tidied
 * insides of static text. Returned with render-plan.ts's pieces: merged text (the rest,
 * tidied) and the insides in turn, so the insides stay the plan's own strings; or, when
 * trimming the ends would cut into an inside (a character JavaScript trims that is not a
 * space, tab or newline), the whole text as one merged piece.
 */
export function tidyPieces(pieces: readonly string[], inside: readonly boolean[]): { text: string; pieces: string[] } {
  const tidied: string[] = [];
  let between = '';
  for (let i = 0; i < pieces.length; i++) {
    if (inside[i]) {
      tidied.push(tidyBetween(between), pieces[i]!);
      between = '';
    } else {
      between += pieces[i]!;
    }
  }
  tidied.push(tidyBetween(between));
  return trimPieces(tidied);
}

/** trim() of the joined pieces, and the pieces cut to match: only merged ones (even indices). */
function trimPieces(pieces: string[]): { text: string; pieces: string[] } {
  const joined = pieces.join('');
  const start = joined.trimStart();
  const text = start.trimEnd();
  if (text === '') return { text, pieces: [''] };
  let head = joined.length - start.length;
  let tail = start.length - text.length;
  for (let i = 0; head > 0; i++) {
    const cut = Math.min(head, pieces[i]!.length);
    if (cut > 0 && i % 2 === 1) return { text, pieces: [text] };
    pieces[i] = pieces[i]!.slice(cut);
    head -= cut;
  }
  for (let i = pieces.length - 1; tail > 0; i--) {
    const cut = Math.min(tail, pieces[i]!.length);
    if (cut > 0 && i % 2 === 1) return { text, pieces: [text] };
    pieces[i] = pieces[i]!.slice(0, pieces[i]!.length - cut);
    tail -= cut;
  }
  return { text, pieces };
}

function isBlank(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n';
}

function tidyBetween(text: string): string {
  return text.includes('\n') ? text.replace(BLANK_LINES, '\n\n') : text;
}
