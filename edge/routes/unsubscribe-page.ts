// The unsubscribe pages: small, self-contained (no external assets, so nothing loads from
// elsewhere and the page works in any mail client's browser), and readable by screen readers.
// They hold no recipient data, so there is nothing to escape.

export type UnsubscribePageKind = 'confirm' | 'done' | 'invalid' | 'gone' | 'error' | 'test';

const PAGES: Record<UnsubscribePageKind, { title: string; body: string }> = {
  confirm: {
    title: 'Unsubscribe?',
    body: `<p>You will stop receiving email from the lists this message was sent to.</p>
<form method="post">
<button type="submit" name="confirm" value="yes">Unsubscribe</button>
</form>`,
  },
  done: {
    title: 'You are unsubscribed',
    body: '<p role="status">You will receive no more email from the lists this message was sent to. You can close this page.</p>',
  },
  invalid: {
    title: 'Link not valid',
    body: '<p>This unsubscribe link is not valid. Please use the link from the email exactly as it was sent.</p>',
  },
  gone: {
    title: 'Message not found',
    body: '<p>We no longer have the message this link came from, so we cannot tell which lists to remove you from. Please reply to the sender to be removed.</p>',
  },
  test: {
    title: 'This was a test',
    body: '<p role="status">This link came from a test send of a campaign. Nobody was unsubscribed and nothing was changed.</p>',
  },
  error: {
    title: 'Please try again',
    body: '<p role="alert">We could not unsubscribe you just now, and nothing was changed. Please try again in a minute.</p>',
  },
};

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;color:#1a1a1a;background:#fff}' +
  'main{max-width:32rem;margin:0 auto}h1{font-size:1.5rem}' +
  'button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.3rem;background:#1a56db;color:#fff;cursor:pointer}' +
  'button:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}';

/** The whole HTML document for one state of the unsubscribe flow. */
export function unsubscribePage(kind: UnsubscribePageKind): string {
  const { title, body } = PAGES[kind];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`;
}

/** Headers for every unsubscribe page: nothing external may load, nothing may frame it, no cache keeps it. */
export const UNSUBSCRIBE_PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'Cache-Control': 'no-store',
  // The token is in the URL: no Referer may carry it anywhere.
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Robots-Tag': 'noindex',
};
