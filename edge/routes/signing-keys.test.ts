import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { deriveKeys } from '../../shared/keys';
import { createTestApp, type TestApp } from '../../test/helpers/app';

describe('signing keys API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  it('names the current key and no retired one outside a rotation', async () => {
    const res = await t.api('GET', '/api/signing-keys');
    expect(res).toMatchObject({ status: 200, body: { currentKeyId: t.deps.keys.trackingKeyId, retiredKeyIds: [] } });
    expect(res.body.currentKeyId).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });

  it('lists the retired keys of SECRET_KEY_PREVIOUS during a rotation', async () => {
    const retired = await deriveKeys('an-older-secret-0123456789-0123456789');
    const app = createApp({ ...t.deps, keyring: [t.deps.keys, retired] });
    const res = await app.request('/api/signing-keys', { headers: { authorization: `Bearer ${t.apiKey}` } }, {}, t.background);
    expect(await res.json()).toEqual({ currentKeyId: t.deps.keys.trackingKeyId, retiredKeyIds: [retired.trackingKeyId] });
  });

  it('is for admins: an editor is refused', async () => {
    const editor = await t.signIn('editor');
    expect((await editor.api('GET', '/api/signing-keys')).status).toBe(403);
    const admin = await t.signIn('admin');
    expect((await admin.api('GET', '/api/signing-keys')).status).toBe(200);
  });
});
