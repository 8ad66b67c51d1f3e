// The preview renders under the sender's Liquid limits: a saved body that would loop for
// minutes stops at the render limit and is shown as written, instead of hanging the tab.
import { describe, expect, it } from 'vitest';
import { compilePreview } from './compile-preview';

describe('compilePreview', () => {
  it('fills merge tags with the sample subscriber, HTML-escaped', async () => {
    const preview = await compilePreview('html', '<p>Hi {{ subscriber.name }} {{ "<b>" }}</p>', 'Spring');
    expect(preview.problems).toEqual([]);
    expect(preview.html).toMatch(/^<p>Hi \S+/);
    expect(preview.html).toContain('&lt;b&gt;');
  });

  it('stops a body that loops for minutes at the render limit, and shows it as written', async () => {
    const body = '<p>{% for i in (1..50000000) %}{% endfor %}done</p>';
    const started = Date.now();
    const preview = await compilePreview('html', body, 'Loop');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(preview.html).toBe(body);
  }, 30_000);
});
