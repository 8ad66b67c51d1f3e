import { describe, expect, it } from 'vitest';
import { htmlToPlainText } from './plain-text';

describe('htmlToPlainText', () => {
  it('keeps headings as written, paragraphs apart, lists bulleted and links as text [url]', () => {
    const html = `<html><head><title>T</title><style>p{color:red}</style></head><body>
      <div style="display:none;max-height:0px">Preview text</div>
      <h1>Spring Sale</h1><p>Hello <b>Ann</b> &amp; friends, see <a href="https://shop.example/">our shop</a>.</p>
      <ul><li>One</li><li>Two</li></ul>
      <p><img src="https://shop.example/logo.png" alt="Logo"><a href="#top">top</a> <a href="mailto:hi@shop.example">write</a></p>
    </body></html>`;
    expect(htmlToPlainText(html)).toBe(
      'Spring Sale\n\nHello Ann & friends, see our shop [https://shop.example/].\n\n * One\n * Two\n\ntop write [hi@shop.example]',
    );
  });

  it('leaves lower-case words alone, so Liquid and link words survive', () => {
    expect(htmlToPlainText('<h2>Hi ep0a1b2c3d4e5o0z</h2><a href="ep0a1b2c3d4e5k1z">Buy</a>')).toBe('Hi ep0a1b2c3d4e5o0z\n\nBuy [ep0a1b2c3d4e5k1z]');
  });
});
