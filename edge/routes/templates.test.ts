import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app';

const mjml = `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>Hello {{ subscriber.name | default: "friend" }}</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

describe('templates API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  const template = (extra: Record<string, unknown> = {}) => ({ name: 'Monthly', format: 'mjml', body: mjml, ...extra });
  const create = async (extra: Record<string, unknown> = {}) => {
    const res = await t.api('POST', '/api/templates', template(extra));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const count = async () => Number((await t.database.client.execute('select count(*) as n from templates')).rows[0]!.n);

  it('saves a template with an empty subject and preheader, reads, lists, edits and deletes it', async () => {
    const saved = await create();
    expect(saved).toMatchObject({ name: 'Monthly', format: 'mjml', subject: '', preheader: '', body: mjml });
    expect((await t.api('GET', `/api/templates/${saved.id}`)).body).toEqual(saved);

    const second = await create({ name: 'Plain', format: 'text', body: 'Hi {{ subscriber.name }}', subject: 'News for {{ subscriber.name }}', preheader: 'This month' });
    const list = await t.api('GET', '/api/templates?limit=1');
    expect(list.body.data.map((x: { id: number }) => x.id)).toEqual([saved.id]);
    expect(list.body.data[0]).not.toHaveProperty('body');
    const next = await t.api('GET', `/api/templates?cursor=${list.body.nextCursor}`);
    expect(next.body).toMatchObject({ data: [{ id: second.id, subject: 'News for {{ subscriber.name }}', preheader: 'This month' }], nextCursor: null });

    const edited = await t.api('PATCH', `/api/templates/${saved.id}`, { name: 'Monthly news', subject: 'Hello' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: saved.id, name: 'Monthly news', subject: 'Hello', body: mjml });

    expect((await t.api('DELETE', `/api/templates/${saved.id}`)).status).toBe(204);
    expect((await t.api('GET', `/api/templates/${saved.id}`)).status).toBe(404);
    expect((await t.api('DELETE', `/api/templates/${saved.id}`)).status).toBe(404);
    expect(await count()).toBe(1);
  });

  it('refuses MJML that does not compile with the line, and writes nothing', async () => {
    const body = mjml.replace('<mj-text>', '<mj-bogus>x</mj-bogus>\n        <mj-text>');
    const res = await t.api('POST', '/api/templates', template({ body }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_TEMPLATE');
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: 'body', line: 5, message: expect.stringContaining('mj-bogus') }));
    expect(await count()).toBe(0);
  });

  it('refuses broken Liquid in the subject, preheader or body, naming each field', async () => {
    const res = await t.api('POST', '/api/templates', template({ subject: 'Hi {{ subscriber.name ', preheader: '{% if x %}', format: 'html', body: '<p>ok</p>\n<p>{{ oops </p>' }));
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body', 'preheader', 'subject']);
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: 'body', line: 2 }));
  });

  it('checks an edit against the whole template, and refuses bad fields with what to fix', async () => {
    const saved = await create();
    const broken = await t.api('PATCH', `/api/templates/${saved.id}`, { body: '<mjml><mj-body><mj-nope/></mj-body></mjml>' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('INVALID_TEMPLATE');
    expect((await t.api('GET', `/api/templates/${saved.id}`)).body.body).toBe(mjml);

    const empty = await t.api('PATCH', `/api/templates/${saved.id}`, {});
    expect(empty.status).toBe(400);
    const twoLines = await t.api('POST', '/api/templates', template({ subject: 'a\nb', name: '' }));
    expect(twoLines.status).toBe(400);
    expect(twoLines.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['name', 'subject']);
    expect((await t.api('PATCH', '/api/templates/999', { name: 'x' })).status).toBe(404);
  });

  it('lets viewers read and editors write, as for campaigns', async () => {
    const saved = await create();
    const viewer = await t.signIn('viewer');
    expect((await viewer.api('GET', `/api/templates/${saved.id}`)).status).toBe(200);
    expect((await viewer.api('POST', '/api/templates', template())).status).toBe(403);
    const editor = await t.signIn('editor', { email: 'ed@example.com' });
    expect((await editor.api('POST', '/api/templates', template())).status).toBe(201);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await t.request('/api/openapi.json')).json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/templates', '/api/templates/{id}']));
    expect(doc.components.schemas).toHaveProperty('Template');
  });
});
