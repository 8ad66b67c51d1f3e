import { describe, expect, it } from 'vitest';
import { findUnclosedMjmlTags } from './mjml-structure';

describe('findUnclosedMjmlTags', () => {
  it('finds MJML elements that are never closed, on their opening line', () => {
    const mjml = '<mjml>\n<mj-body>\n<mj-section>\n<mj-column>\n<mj-text>Hi\n</mj-column>\n</mj-section>\n</mj-body>';
    expect(findUnclosedMjmlTags(mjml)).toEqual([
      { tagName: 'mjml', line: 1 },
      { tagName: 'mj-text', line: 5 },
    ]);
  });

  it('accepts self-closed elements and unclosed HTML inside content elements', () => {
    const mjml = '<mjml><mj-body><mj-section><mj-column><mj-image src="x.png" /><mj-text><p>one<br>two</mj-text></mj-column></mj-section></mj-body></mjml>';
    expect(findUnclosedMjmlTags(mjml)).toEqual([]);
  });
});
