import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { freePort } from '../node/free-port';
import { clientAddress, clientNetwork } from './client-address';

describe('clientAddress', () => {
  const app = new Hono().get('/', (c) => c.text(clientAddress(c) ?? 'none'));

  it('reads the socket on the real Node host, ignoring CF-Connecting-IP', async () => {
    const port = await freePort();
    const server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => resolve(s as Server));
    });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'cf-connecting-ip': '203.0.113.1' } });
      expect(clientNetwork(await res.text())).toBe('127.0.0.0/24');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reads the socket on Node and never the header a client could set', async () => {
    const env = { incoming: { socket: { remoteAddress: '198.51.100.7' } } };
    const res = await app.request('/', { headers: { 'cf-connecting-ip': '203.0.113.1' } }, env);
    expect(await res.text()).toBe('198.51.100.7');
  });

  it('reads CF-Connecting-IP on Workers (Cloudflare overwrites what the client sent)', async () => {
    const res = await app.request('/', { headers: { 'cf-connecting-ip': '203.0.113.1' } }, { DATABASE_URL: 'libsql://x' });
    expect(await res.text()).toBe('203.0.113.1');
    expect(await (await app.request('/', {}, {})).text()).toBe('none');
  });
});

describe('clientNetwork', () => {
  it('groups IPv4 by /24, including IPv4-mapped IPv6 from a dual-stack socket', () => {
    expect(clientNetwork('192.0.2.77')).toBe('192.0.2.0/24');
    expect(clientNetwork('::ffff:192.0.2.8')).toBe('192.0.2.0/24');
    expect(clientNetwork('192.0.3.1')).not.toBe(clientNetwork('192.0.2.1'));
  });

  it('groups IPv6 by /56, however the address is written', () => {
    expect(clientNetwork('2001:db8:abcd:12ff::1')).toBe('2001:db8:abcd:1200::/56');
    expect(clientNetwork('2001:0DB8:abcd:1234:5:6:7:8')).toBe('2001:db8:abcd:1200::/56');
    expect(clientNetwork('fe80::1%eth0')).toBe('fe80:0:0:0::/56');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/56');
    expect(clientNetwork('2001:db8:abcd:1300::1')).not.toBe(clientNetwork('2001:db8:abcd:12ff::1'));
  });

  it('puts what it cannot read under one key', () => {
    for (const address of [null, '', 'localhost', '1:2:3', '1::2::3', '1:2:3:4:5:6:7:8:9', '2001:db8::g']) {
      expect(clientNetwork(address), String(address)).toBe('unknown');
    }
  });
});
