// The public-network guard of outgoing webhooks against a real HTTP server on loopback: a
// loopback address, whether named as a literal or reached through a name that resolves to
// it, is refused before any byte is sent, with an error the delivery log can show.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callEndpoint } from './call-endpoint';
import { createPublicNetworkFetch, isPublicAddress, NOT_PUBLIC } from './public-network-fetch';

describe('isPublicAddress', () => {
  it.each([
    ['8.8.8.8', true],
    ['2606:4700:4700::1111', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['::1', false],
    ['fe80::1', false],
    ['fd00::1', false],
    ['::ffff:127.0.0.1', false],
    ['::7f00:1', false],
    ['::ffff:8.8.8.8', true],
    ['not an address', false],
  ])('%s → %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe('public network fetch', () => {
  let server: Server;
  let port: number;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests += 1;
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('refuses an address literal and a name that resolves to loopback, without a request', async () => {
    const guarded = createPublicNetworkFetch();
    for (const url of [`http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`]) {
      const answer = await callEndpoint(guarded, { url, headers: {}, body: '{}' }, 2000);
      expect(answer.delivered).toBe(false);
      expect(answer.error).toContain(`${NOT_PUBLIC}:`);
      expect(answer.error).toContain('WEBHOOK_ALLOW_PRIVATE_NETWORKS');
    }
    expect(requests).toBe(0);
  });

  it('the unguarded client reaches the same server (the refusal above is the guard, not the server)', async () => {
    const answer = await callEndpoint(fetch, { url: `http://127.0.0.1:${port}/hook`, headers: {}, body: '{}' }, 2000);
    expect(answer).toMatchObject({ delivered: true, httpStatus: 200 });
    expect(requests).toBe(1);
  });
});
