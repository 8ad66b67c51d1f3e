// Finds the links a campaign's HTML tracks, once per campaign, with htmlparser2's tokenizer
// (a real HTML tokenizer, Web-standard, and already here for html-to-text): quoting,
// entities, comments and <script>/<style> contents are handled as browsers do, where a
// regex would rewrite an `href` inside a comment or miss an unquoted one.
import { Parser } from 'htmlparser2';

export interface HtmlLink {
  /** Span `[start, end)` of the whole `href=…` attribute in the scanned HTML. */
  start: number;
  end: number;
  /** The value with entities decoded: the URL a mail client would follow. */
  href: string;
}

export interface HtmlScan {
  /** `href` attributes of `<a>` and `<area>`, in document order (the first `href` of a tag wins, as in browsers). */
  links: HtmlLink[];
  /** Just after the first `<body …>` tag, or null when there is none. */
  bodyStart: number | null;
  /** Where the last `</body>` starts, or null when there is none. */
  bodyEnd: number | null;
}

const LINK_TAGS = new Set(['a', 'area']);

/** The link attributes and the start and end of the body of an HTML document or fragment. */
export function scanHtml(html: string): HtmlScan {
  const links: HtmlLink[] = [];
  let bodyStart: number | null = null;
  let bodyEnd: number | null = null;
  let tag = '';
  let hrefSeen = false;
  const parser = new Parser({
    onopentagname(name) {
      tag = name;
      hrefSeen = false;
    },
    onattribute(name, value) {
      if (name !== 'href' || hrefSeen || !LINK_TAGS.has(tag)) return;
      hrefSeen = true;
      links.push({ start: parser.startIndex, end: parser.endIndex, href: value });
    },
    onopentag(name, _attributes, isImplied) {
      if (name === 'body' && !isImplied && bodyStart === null) bodyStart = parser.endIndex + 1;
    },
    onclosetag(name, isImplied) {
      if (name === 'body' && !isImplied) bodyEnd = parser.startIndex;
    },
  });
  parser.end(html);
  return { links, bodyStart, bodyEnd };
}
