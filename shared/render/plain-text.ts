// The plain-text alternative of an HTML campaign, made once per campaign with html-to-text.
// It is Web-standard enough for shared/: it and its parser (htmlparser2, entities,
// selderee) import nothing from Node; the only Buffer use is a guarded fallback for Node
// versions before 16. Its input still carries Liquid and link words (see
// liquid-placeholders.ts), so nothing here may change their case or split them.
import { convert, type HtmlToTextOptions } from 'html-to-text';

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];

const OPTIONS: HtmlToTextOptions = {
  // Lines are as long as the paragraph: the merged values' widths are not known yet, and
  // mail clients wrap plain text themselves.
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { linkBrackets: ['[', ']'], noAnchorUrl: true, hideLinkHrefIfSameAsText: true } },
    // Images say nothing in text; their links (if any) still print.
    { selector: 'img', format: 'skip' },
    // MJML's hidden preview text, and anything else hidden from readers.
    { selector: '[style*="display:none"]', format: 'skip' },
    { selector: '[style*="display: none"]', format: 'skip' },
    // Upper-casing would break the words, and shouting is not needed to mark a heading.
    ...HEADINGS.map((selector) => ({ selector, options: { uppercase: false } })),
  ],
};

/** Readable plain text for an HTML body: headings and paragraphs on their own lines, lists bulleted, links as `text [url]`. */
export function htmlToPlainText(html: string): string {
  return convert(html, OPTIONS);
}
