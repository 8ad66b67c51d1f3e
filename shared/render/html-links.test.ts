import { describe, expect, it } from 'vitest';
import { scanHtml } from './html-links';

describe('scanHtml', () => {
  it('finds the href of <a> and <area>, quoted or not, with entities decoded', () => {
    const html = `<body><a class="x" href="https://a.example/?a=1&amp;b=2">A</a><AREA HREF=https://b.example/map><a href='c'>C</a></body>`;
    const { links } = scanHtml(html);
    expect(links.map((l) => l.href)).toEqual(['https://a.example/?a=1&b=2', 'https://b.example/map', 'c']);
    expect(links.map((l) => html.slice(l.start, l.end))).toEqual([
      'href="https://a.example/?a=1&amp;b=2"',
      'HREF=https://b.example/map',
      "href='c'",
    ]);
  });

  it('skips hrefs in comments, scripts, styles and on other tags, and keeps only the first href of a tag', () => {
    const html = `<link href="https://css.example/s.css"><!-- <a href="https://comment.example"> --><script>'<a href="https://script.example">'</script>
      <style>a[href="https://style.example"]{}</style><a href="https://first.example" href="https://second.example">x</a>`;
    expect(scanHtml(html).links.map((l) => l.href)).toEqual(['https://first.example']);
  });

  it('finds where the last </body> starts, or null', () => {
    const html = '<html><body><p>x</p></BODY></html>';
    expect(scanHtml(html).bodyEnd).toBe(html.indexOf('</BODY>'));
    expect(scanHtml('<p>fragment</p>').bodyEnd).toBeNull();
  });
});
