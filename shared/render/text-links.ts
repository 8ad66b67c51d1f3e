// Finds bare http(s) URLs in plain text, where they are the links. A URL runs to the next
// space, `<`, `>` or `"`, less trailing punctuation that belongs to the sentence
// ("see https://x.example/a." or "(https://x.example/a)").

export interface TextUrl {
  /** Span `[start, end)` in the text. */
  start: number;
  end: number;
}

const URL_START = /https?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'*_~]$/;
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** The URLs of `text`; a match of `stopAt` (such as a Liquid tag) ends a URL too. */
export function findTextUrls(text: string, stopAt?: RegExp): TextUrl[] {
  const urls: TextUrl[] = [];
  for (const match of text.matchAll(URL_START)) {
    let url = match[0];
    const stop = stopAt ? url.search(stopAt) : -1;
    if (stop !== -1) url = url.slice(0, stop);
    url = trimTrailingPunctuation(url);
    if (/^https?:\/\/./i.test(url)) urls.push({ start: match.index, end: match.index + url.length });
  }
  return urls;
}

function trimTrailingPunctuation(url: string): string {
  for (;;) {
    const last = url.at(-1) ?? '';
    const opener = CLOSERS[last];
    // A closing bracket stays when the URL opened it, as in Wikipedia links.
    if (TRAILING.test(url) || (opener && count(url, opener) < count(url, last))) url = url.slice(0, -1);
    else return url;
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}
