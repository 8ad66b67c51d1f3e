import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturedMessages } from '../../shared/db/schema';
import { createTestApp, type TestApp } from '../../test/helpers/app';

const mime = (to: string, subject: string) =>
  `From: "Shop" <news@shop.example>\r\nTo: ${to}\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello — café\r\n`;

describe('captured messages API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
    await t.database.db.insert(capturedMessages).values([
      { messageId: 1, toAddress: 'a@example.com', subject: 'First', raw: mime('a@example.com', 'First') },
      { messageId: 2, toAddress: 'b@example.com', subject: 'Second', raw: mime('b@example.com', 'Second') },
      { messageId: 3, toAddress: 'a@example.com', subject: 'Third', raw: mime('a@example.com', 'Third') },
    ]);
  });
  afterEach(() => t.close());

  it('lists newest first, pages, filters, and leaves the raw text out', async () => {
    const first = await t.api('GET', '/api/captured-messages?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.data.map((m: { subject: string }) => m.subject)).toEqual(['Third', 'Second']);
    expect(first.body.data[0]).toEqual({
      id: 3,
      messageId: 3,
      to: 'a@example.com',
      subject: 'Third',
      size: new TextEncoder().encode(mime('a@example.com', 'Third')).length,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const rest = await t.api('GET', `/api/captured-messages?limit=2&cursor=${first.body.nextCursor}`);
    expect(rest.body).toMatchObject({ data: [{ subject: 'First' }], nextCursor: null });

    const toA = await t.api('GET', '/api/captured-messages?to=a@example.com');
    expect(toA.body.data.map((m: { id: number }) => m.id)).toEqual([3, 1]);
    expect((await t.api('GET', '/api/captured-messages?messageId=2')).body.data.map((m: { id: number }) => m.id)).toEqual([2]);
  });

  it('returns one message with its raw MIME, and the raw alone as message/rfc822', async () => {
    const { status, body } = await t.api('GET', '/api/captured-messages/2');
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 2, to: 'b@example.com', subject: 'Second', raw: mime('b@example.com', 'Second') });

    const raw = await t.request('/api/captured-messages/2/raw', { headers: { authorization: `Bearer ${t.apiKey}` } });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    expect(raw.headers.get('content-disposition')).toBe('attachment; filename="captured-2.eml"');
    expect(await raw.text()).toBe(mime('b@example.com', 'Second'));
  });

  it('answers 404 for an unknown id and 401 without a key', async () => {
    expect((await t.api('GET', '/api/captured-messages/99')).status).toBe(404);
    expect((await t.api('GET', '/api/captured-messages/99/raw')).status).toBe(404);
    expect((await t.request('/api/captured-messages/1/raw')).status).toBe(401);
    expect((await t.api('GET', '/api/captured-messages?cursor=-1')).status).toBe(400);
  });
});
