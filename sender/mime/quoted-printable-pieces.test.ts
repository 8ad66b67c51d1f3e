import { describe, expect, it } from 'vitest';
import type { TextPieces } from '../../shared/render/render-plan';
import type { TemplatePlan } from '../../shared/render/template-plan';
import { createByteOutput, takeBytes } from './byte-output';
import { relaxLines } from './dkim-canonicalize';
import { encodeQuotedPrintable } from './quoted-printable';
import { writePiecesQuotedPrintable } from './quoted-printable-pieces';
import { decodeStrict } from '../../test/helpers/quoted-printable';
import { seededRandom } from '../../test/helpers/seeded-random';

/** Pieces of one plan (any object stands for it: it is only a key). */
function piecesOf(pieces: string[], plan: object = {}): TextPieces {
  return { text: pieces.join(''), pieces, plan: plan as TemplatePlan };
}

/** The part encoded from its pieces, and the relaxed form written beside it. */
function encode(part: TextPieces) {
  const out = createByteOutput(16);
  const relaxed = createByteOutput(16);
  const done = writePiecesQuotedPrintable(out, createByteOutput(16), part, relaxed);
  return { done, bytes: takeBytes(out), relaxed: takeBytes(relaxed) };
}

/** Relaxed form of the whole, done in one go (no end-of-body rule: that is the builder's). */
function relaxedWhole(bytes: Buffer): Buffer {
  const out = createByteOutput(16);
  relaxLines(bytes, 0, bytes.length, out);
  return takeBytes(out);
}

const asSent = (text: string) => text.replace(/\r?\n/g, '\r\n');

describe('writePiecesQuotedPrintable', () => {
  it('encodes the static text once and gives the same bytes for every recipient', () => {
    const plan = {};
    const statics = [`<p>${'Spring is here. '.repeat(20)}</p>\n`, '</a> · <a href="', '">Unsubscribe</a>'];
    const forName = (name: string) => piecesOf([`Hi ${name}`, statics[0]!, 'https://t.example/t/c/abc', statics[1]!, 'https://t.example/u/xyz', statics[2]!, ''], plan);
    const ann = encode(forName('Ann'));
    const again = encode(forName('Ann'));
    const bo = encode(forName('Bo Müller'));
    expect(ann.done).toBe(true);
    expect(again.bytes.equals(ann.bytes)).toBe(true);
    expect(decodeStrict(ann.bytes).toString('utf8')).toBe(asSent(forName('Ann').text));
    expect(decodeStrict(bo.bytes).toString('utf8')).toBe(asSent(forName('Bo Müller').text));
    // Each static piece starts a line: after "Hi Ann" a soft break, then the paragraph as encoded alone.
    expect(ann.bytes.toString('latin1').startsWith(`Hi Ann=\r\n${encodeQuotedPrintable(statics[0]!).toString('latin1')}`)).toBe(true);
  });

  it('decodes to the joined text, within 76 columns, and writes its relaxed form beside it, on random pieces', () => {
    const random = seededRandom(20261207);
    const alphabet = ['a', 'Z', ' ', '  ', '\t', '=', '.', 'F', 'From ', 'rom ', '\n', '\r\n', '\r', 'é', '€', '😀', '~', 'x'.repeat(90)];
    const text = (max: number) => Array.from({ length: Math.floor(random() * max) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    let encoded = 0;
    for (let round = 0; round < 400; round++) {
      const plan = {};
      const statics = Array.from({ length: 1 + Math.floor(random() * 5) }, () => text(40));
      for (let render = 0; render < 3; render++) {
        const pieces = [text(12)];
        for (const piece of statics) pieces.push(piece, text(12));
        const part = piecesOf(pieces, plan);
        const { done, bytes, relaxed } = encode(part);
        // A CRLF split between pieces is the one case left to the whole-text encoder.
        if (!done) {
          expect(bytes.length).toBe(0);
          expect(part.text).toMatch(/\r\n/);
          continue;
        }
        expect(decodeStrict(bytes).toString('utf8'), JSON.stringify(pieces)).toBe(asSent(part.text));
        expect(relaxed.toString('latin1'), JSON.stringify(pieces)).toBe(relaxedWhole(bytes).toString('latin1'));
        encoded++;
      }
    }
    expect(encoded).toBeGreaterThan(1000);
  });

  it('leaves a CRLF split between two pieces to the whole-text encoder, writing nothing', () => {
    const out = createByteOutput(16);
    expect(writePiecesQuotedPrintable(out, createByteOutput(16), piecesOf(['line\r', '\nnext', '']), null)).toBe(false);
    expect(out.pos).toBe(0);
    expect(encode(piecesOf(['line\r', '', '\nnext'])).done).toBe(false);
    expect(encode(piecesOf(['line\r\n', 'next', ''])).done).toBe(true);
  });

  it('escapes a line start that may become "From " once the next piece follows', () => {
    const { bytes } = encode(piecesOf(['Hi\nFr', 'om the shop', '']));
    expect(bytes.toString('latin1')).not.toMatch(/(^|\r\n)From /);
    expect(decodeStrict(bytes).toString('utf8')).toBe('Hi\r\nFrom the shop');
  });

  it('encodes a piece again when its plan now holds other text at that place', () => {
    const plan = {};
    encode(piecesOf(['a', 'static one', 'b'], plan));
    const { bytes } = encode(piecesOf(['a', 'static two', 'b'], plan));
    expect(decodeStrict(bytes).toString('utf8')).toBe('astatic twob');
  });
});
