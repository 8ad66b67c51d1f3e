// Tests and proxies point an HTTP API driver at another host. A credential rides on every
// request, so plain http is allowed only to this machine, where it never crosses a network
// in the clear. Drivers append API paths to the endpoint, so a query or fragment would end
// up in the middle of the request URL: refused rather than silently mangled.
import { z } from 'zod';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The `endpoint` setting that overrides a driver's API base URL; `example` shows a valid one. */
export function endpointOverride(example: string) {
  return (
    z
      .url(`endpoint must be a URL, e.g. ${example}`)
      // zod runs refinements after a failed url check too: only judge what parses.
      .refine((value) => {
        const url = URL.canParse(value) ? new URL(value) : null;
        return !url || url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
      }, 'endpoint must use https (http only for 127.0.0.1 or localhost)')
      .refine((value) => !URL.canParse(value) || (!new URL(value).search && !new URL(value).hash), 'endpoint must not have a query or fragment')
  );
}
