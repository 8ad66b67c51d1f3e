// The OpenAPI document is generated from the same schemas that validate requests: every
// API route is in it, with its request schema and the errors it can answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/helpers/app';
import { iso } from './api-schemas';

describe('API document', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[] } }> }; responses: Record<string, unknown> }>> };
  beforeAll(async () => {
    t = await createTestApp();
    const res = await t.request('/api/openapi.json');
    expect(res.status).toBe(200);
    doc = (await res.json()) as typeof doc;
  });
  afterAll(() => t.close());

  it('lists every route of the dashboard API with its method', () => {
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /api/lists', 'GET /api/lists', 'GET /api/lists/{id}', 'PATCH /api/lists/{id}', 'DELETE /api/lists/{id}',
        'POST /api/subscribers', 'GET /api/subscribers', 'GET /api/subscribers/{id}', 'PATCH /api/subscribers/{id}', 'DELETE /api/subscribers/{id}',
        'POST /api/sending-servers', 'GET /api/sending-servers', 'GET /api/sending-servers/{id}', 'PATCH /api/sending-servers/{id}',
        'DELETE /api/sending-servers/{id}', 'POST /api/sending-servers/{id}/validate',
        'POST /api/campaigns', 'GET /api/campaigns', 'GET /api/campaigns/{id}', 'PATCH /api/campaigns/{id}',
        'POST /api/campaigns/{id}/send', 'POST /api/campaigns/{id}/pause', 'POST /api/campaigns/{id}/resume',
        'POST /api/campaigns/{id}/cancel', 'GET /api/campaigns/{id}/stats',
        'GET /api/captured-messages', 'GET /api/captured-messages/{id}', 'GET /api/captured-messages/{id}/raw',
      ]),
    );
  });

  it('documents request bodies and error answers from the validating schemas', () => {
    const create = doc.paths['/api/campaigns']!.post!;
    expect(create.requestBody!.content['application/json']!.schema.required).toEqual(['name', 'subject', 'from', 'format', 'body']);
    expect(Object.keys(create.responses).sort()).toEqual(['201', '400']);
    expect(Object.keys(doc.paths['/api/subscribers']!.post!.responses).sort()).toEqual(['201', '400', '409']);
    expect(doc.paths['/api/captured-messages/{id}/raw']!.get!.responses['200']).toMatchObject({ content: { 'message/rfc822': {} } });
  });

  it('writes times as ISO strings', () => {
    expect(iso(Date.UTC(2026, 0, 31, 9, 30))).toBe('2026-01-31T09:30:00.000Z');
    expect(iso(null)).toBeNull();
  });
});
