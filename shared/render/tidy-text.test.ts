import { describe, expect, it } from 'vitest';
import { splitForTidy, tidyPieces, tidyText } from './tidy-text';

describe('tidyText', () => {
  it('keeps at most one blank line in a row, spaces and tabs counting as blank, none at the ends', () => {
    expect(tidyText('\n\n a\n\n\nb\n \t\n\n  c\r\n\r\n\r\nd\n\n')).toBe('a\n\nb\n\n  c\r\n\r\n\r\nd');
  });
});

describe('splitForTidy', () => {
  it('tidies the inside of static text now and leaves its edges to the render', () => {
    expect(splitForTidy(' \n\na\n\n\n\nb \n')).toEqual({ lead: ' \n\n', inside: 'a\n\nb', trail: ' \n' });
    expect(splitForTidy('\n\t\n')).toEqual({ lead: '\n\t\n', inside: '', trail: '' });
    expect(splitForTidy('a')).toEqual({ lead: '', inside: 'a', trail: '' });
  });
});

describe('tidyPieces', () => {
  // Static text split as a plan splits it, merged values between, the whole joined: the answer must be tidyText's.
  const statics = ['Hi\n\n', '\n\nthere\n\n\n\nyou \n', ' ', 'end\r\n\n\n', '\n \n', 'a\tb'];
  const values = ['', '\n', '\n\n\n', ' \t', 'x\n\n\n\ny', '\r\n\r\n', 'name'];

  it('gives tidyText of the joined text, whatever the merged values hold', () => {
    let cases = 0;
    for (const first of values) {
      for (const second of values) {
        const pieces: string[] = [];
        const inside: boolean[] = [];
        statics.forEach((text, i) => {
          const split = splitForTidy(text);
          for (const [piece, isInside] of [[split.lead, false], [split.inside, true], [split.trail, false]] as const) {
            if (!piece) continue;
            pieces.push(piece);
            inside.push(isInside);
          }
          pieces.push(i % 2 ? first : second);
          inside.push(false);
        });
        const joined = statics.map((text, i) => text + (i % 2 ? first : second)).join('');
        const tidied = tidyPieces(pieces, inside);
        expect(tidied.text, JSON.stringify([first, second])).toBe(tidyText(joined));
        expect(tidied.pieces.join('')).toBe(tidied.text);
        // The insides come back as they were, at the odd places.
        if (tidied.pieces.length > 1) expect(tidied.pieces.filter((_, i) => i % 2 === 1)).toEqual(pieces.filter((_, i) => inside[i]));
        cases++;
      }
    }
    expect(cases).toBe(values.length ** 2);
  });

  it('gives the whole text as one merged piece when trimming would cut into an inside', () => {
    // U+00A0 is not blank to the plan's split, but trim() takes it.
    expect(tidyPieces(['\n', '\u00a0Hi', ' x '], [false, true, false])).toEqual({ text: 'Hi x', pieces: ['Hi x'] });
    expect(tidyPieces(['', 'Hi\u00a0', '\n'], [false, true, false])).toEqual({ text: 'Hi', pieces: ['Hi'] });
    expect(tidyPieces(['\n', 'Hi', ' x\n'], [false, true, false])).toEqual({ text: 'Hi x', pieces: ['', 'Hi', ' x'] });
  });
});
