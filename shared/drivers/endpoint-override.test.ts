// The one endpoint-override rule every HTTP API driver's settings use.
import { describe, expect, it } from 'vitest';
import { endpointOverride } from './endpoint-override';

const endpoint = endpointOverride('https://relay-proxy.internal/v4');
const issuesOf = (value: unknown) => endpoint.safeParse(value).error?.issues.map((issue) => issue.message) ?? [];

describe('endpointOverride', () => {
  it('takes https anywhere, with or without a path', () => {
    expect(endpoint.parse('https://relay-proxy.internal')).toBe('https://relay-proxy.internal');
    expect(endpoint.safeParse('https://proxy.example.com/sendgrid/').success).toBe(true);
  });

  it('takes plain http on loopback only', () => {
    for (const url of ['http://127.0.0.1:8080', 'http://localhost:3000/v4', 'http://[::1]:9000']) {
      expect(endpoint.safeParse(url).success, url).toBe(true);
    }
    for (const url of ['http://relay.example.com', 'http://10.0.0.5', 'http://127.0.0.2']) {
      expect(issuesOf(url), url).toEqual(['endpoint must use https (http only for 127.0.0.1 or localhost)']);
    }
    expect(issuesOf('ftp://relay.example.com')).toEqual(['endpoint must use https (http only for 127.0.0.1 or localhost)']);
  });

  it('refuses a query or a fragment, which would land inside every request URL', () => {
    expect(issuesOf('https://relay.example.com/v1?key=1')).toEqual(['endpoint must not have a query or fragment']);
    expect(issuesOf('https://relay.example.com/v1#top')).toEqual(['endpoint must not have a query or fragment']);
  });

  it('reports a value that is no URL once, with the example to follow', () => {
    expect(issuesOf('not a url')).toEqual(['endpoint must be a URL, e.g. https://relay-proxy.internal/v4']);
    expect(issuesOf(42)).toHaveLength(1);
  });
});
