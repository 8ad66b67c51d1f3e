import { describe, expect, it } from 'vitest';
import { transferEncodingFor } from './transfer-encoding';

describe('transferEncodingFor', () => {
  it('picks quoted-printable for Latin text, accents and all, and for text with nothing to escape', () => {
    expect(transferEncodingFor('Grüße aus Köln, à bientôt')).toBe('quoted-printable');
    expect(transferEncodingFor('12345 -- 678')).toBe('quoted-printable');
    expect(transferEncodingFor('')).toBe('quoted-printable');
  });

  it('picks base64 for text that is mostly another script', () => {
    expect(transferEncodingFor('こんにちは、世界。今日は良い天気です。')).toBe('base64');
    expect(transferEncodingFor('Привет, мир! Как дела?')).toBe('base64');
  });

  it('looks past the ASCII markup at the start of a long HTML body', () => {
    const head = `<html><head><style>${'.a{color:red;font-family:Helvetica,Arial}'.repeat(60)}</style></head><body>`;
    const body = `<p>${'日本語の文章です。'.repeat(800)}</p></body></html>`;
    expect(head.length).toBeGreaterThan(2048);
    expect(transferEncodingFor(head + body)).toBe('base64');
    expect(transferEncodingFor(head + `<p>${'An English sentence. '.repeat(400)}</p>`)).toBe('quoted-printable');
  });
});
