// A strict reader of quoted-printable for tests of the encoders (sender/mime/).
import { expect } from 'vitest';

/** A strict RFC 2045 reader: fails on anything an encoder may not write, then decodes. */
export function decodeStrict(encoded: Buffer): Buffer {
  const text = encoded.toString('latin1');
  expect(text).toMatch(/^[\x20-\x7e\r\n\t]*$/);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  const bytes: number[] = [];
  const lines = text.split('\r\n');
  lines.forEach((line, index) => {
    expect(line.length, `line ${index}: ${line}`).toBeLessThanOrEqual(76);
    expect(line, 'no trailing whitespace').not.toMatch(/[ \t]$/);
    expect(line, 'no line starts with a dot').not.toMatch(/^\./);
    expect(line, 'no line starts with "From "').not.toMatch(/^From /);
    const soft = line.endsWith('='); // an escape ends in a hex digit, so a final '=' is a soft break
    const body = soft ? line.slice(0, -1) : line;
    for (let i = 0; i < body.length; i++) {
      if (body[i] === '=') {
        expect(body.slice(i + 1, i + 3), `escape at ${i} of line ${index}`).toMatch(/^[0-9A-F]{2}$/);
        bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(body.charCodeAt(i));
    }
    if (!soft && index < lines.length - 1) bytes.push(0x0d, 0x0a);
  });
  return Buffer.from(bytes);
}
