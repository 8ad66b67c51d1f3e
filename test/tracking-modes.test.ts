// Each tracking mode end to end: sending fixes the campaign's mode and domain against the
// install's settings, the sender's campaign cache reads them, a message is rendered, and its
// pixel and links are followed through the edge app into the events table. Then: a sent
// campaign keeps its tracking whatever the install's settings become.
import mjml2html from 'mjml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createCampaignCache } from '../sender/campaign-cache';
import { campaigns, events } from '../shared/db/schema';
import { transitionCampaign } from '../shared/queries/campaigns';
import { updateSettings } from '../shared/queries/settings';
import { renderMessage } from '../shared/render/render-message';
import type { TrackingMode } from '../shared/db/schema';
import { signToken } from '../shared/tokens';
import { createTestApp, type TestApp } from './helpers/app';
import { createTrackingTestApp, type TrackingTestApp } from './helpers/tracking-app';
import { seedMessages, type SeededMessages } from './helpers/tracking-seed';

const BODY = '<html><body><p>Hi {{ subscriber.name }}</p><a href="https://shop.example/sale">Sale</a><a href="{{ unsubscribe_url }}">Unsubscribe</a></body></html>';

describe('tracking modes, sender to edge', () => {
  let t: TrackingTestApp;
  let seed: SeededMessages;
  beforeEach(async () => {
    t = await createTrackingTestApp();
    seed = await seedMessages(t.database.db, 2);
  });
  afterEach(() => t.close());

  async function renderFor(tracking: TrackingMode | null, trackingDomain: string | null = null) {
    // A draft again, then sent as the API sends it: the send fixes its tracking.
    await t.database.db
      .update(campaigns)
      .set({ body: BODY, preheader: 'Sale for {{ subscriber.name }}', tracking, trackingDomain, status: 'draft' })
      .where(eq(campaigns.id, seed.campaignId));
    expect(await transitionCampaign(t.database.db, seed.campaignId, 'send')).toMatchObject({ status: 'queued' });
    const compiled = await createCampaignCache(t.database.db, mjml2html).get(seed.campaignId);
    const subscriber = { id: seed.subscriberIds[0]!, email: 'reader1@example.com', name: 'Reader 1', attributes: {} };
    const message = renderMessage(compiled, { messageId: seed.messageIds[0]!, subscriber }, { publicUrl: t.deps.publicUrl, keys: t.keys });
    const html = message.html!;
    return {
      compiled,
      html,
      pixel: /<img src="([^"]+)"/.exec(html)?.[1],
      sale: /<a href="([^"]+)">Sale<\/a>/.exec(html)![1]!,
    };
  }

  const recorded = async () => {
    await t.background.drain();
    await t.recorder.flush();
    return t.database.db.select().from(events).orderBy(events.id);
  };

  it('on (the install default): pixel and click record events naming the message and the subscriber', async () => {
    const { compiled, pixel, sale, html } = await renderFor(null);
    expect(compiled.tracking).toEqual({ mode: 'on', domain: null });
    expect(html).toContain('Sale for Reader 1');
    expect((await t.request(pixel!)).status).toBe(200);
    expect((await t.request(sale)).headers.get('location')).toBe('https://shop.example/sale');
    expect(await recorded()).toMatchObject([
      { type: 'open', campaignId: seed.campaignId, messageId: seed.messageIds[0], subscriberId: seed.subscriberIds[0] },
      { type: 'click', campaignId: seed.campaignId, messageId: seed.messageIds[0], subscriberId: seed.subscriberIds[0], url: 'https://shop.example/sale' },
    ]);
  });

  it('anonymous (the install setting): the events stored name the campaign only, with their human/machine verdict', async () => {
    await updateSettings(t.database.db, { tracking: 'anonymous' });
    const { compiled, pixel, sale } = await renderFor(null);
    expect(compiled.tracking.mode).toBe('anonymous');
    expect(pixel).toMatch(/^http:\/\/edge\.test\/t\/o\//);
    expect((await t.request(pixel!, { headers: { 'user-agent': 'Thunderbird/128' } })).headers.get('content-type')).toBe('image/gif');
    const click = await t.request(sale, { headers: { 'user-agent': 'Thunderbird/128' } });
    expect([click.status, click.headers.get('location')]).toEqual([302, 'https://shop.example/sale']);
    expect((await t.request(sale, { method: 'HEAD' })).status).toBe(302);
    const stored = await recorded();
    expect(stored).toMatchObject([
      { type: 'open', campaignId: seed.campaignId, messageId: null, subscriberId: null, machine: false, machineReason: 'human' },
      { type: 'click', campaignId: seed.campaignId, messageId: null, subscriberId: null, url: 'https://shop.example/sale', machine: false },
      { type: 'click', campaignId: seed.campaignId, messageId: null, subscriberId: null, machine: true },
    ]);
    expect(stored.map((e) => e.data)).toEqual([{ userAgent: 'Thunderbird/128', method: 'GET' }, { userAgent: 'Thunderbird/128', method: 'GET' }, { method: 'HEAD' }]);
  });

  it('anonymous hits of a campaign that does not exist are answered, and dropped', async () => {
    const token = signToken(t.keys, { kind: 'anonymous-click', campaignId: seed.campaignId + 1000, url: 'https://shop.example/sale' });
    expect((await t.request(`/t/c/${token}`)).status).toBe(302);
    expect((await t.request(`/t/o/${signToken(t.keys, { kind: 'anonymous-open', campaignId: seed.campaignId + 1000 })}`)).status).toBe(200);
    expect(await recorded()).toEqual([]);
  });

  it('off (the campaign over the install): no pixel, the link as written, nothing recorded', async () => {
    await updateSettings(t.database.db, { tracking: 'anonymous', trackingDomain: 'click.shop.example' });
    const { compiled, pixel, sale, html } = await renderFor('off');
    expect(compiled.tracking).toEqual({ mode: 'off', domain: 'click.shop.example' });
    expect(pixel).toBeUndefined();
    expect(sale).toBe('https://shop.example/sale');
    expect(html).toMatch(/<a href="http:\/\/edge\.test\/u\/[\w.-]+">Unsubscribe<\/a>/);
  });

  it('a tracking domain (the campaign over the install) carries pixel and clicks, and the edge answers on that host', async () => {
    await updateSettings(t.database.db, { trackingDomain: 'stats.shop.example' });
    const { compiled, pixel, sale, html } = await renderFor('on', 'click.shop.example');
    expect(compiled.tracking).toEqual({ mode: 'on', domain: 'click.shop.example' });
    expect(pixel).toMatch(/^https:\/\/click\.shop\.example\/t\/o\//);
    expect(sale).toMatch(/^https:\/\/click\.shop\.example\/t\/c\//);
    expect(html).toMatch(/<a href="http:\/\/edge\.test\/u\/[\w.-]+">Unsubscribe<\/a>/);
    expect((await t.request(sale)).headers.get('location')).toBe('https://shop.example/sale');
    expect(await recorded()).toMatchObject([{ type: 'click', messageId: seed.messageIds[0] }]);
  });
});

describe('a campaign keeps the tracking it was sent with', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(() => t.close());

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await t.api(method, path, body);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    return res.body;
  };
  const policyOf = async (id: number) => (await createCampaignCache(t.database.db, mjml2html).get(id)).tracking;

  it('sent following the install\'s anonymous mode, it stays anonymous (API and a fresh cache) when the install switches to on', async () => {
    const list = (await api('POST', '/api/lists', { name: 'News' })).id;
    await api('POST', '/api/sending-servers', { name: 'Inbox', driver: 'capture', isDefault: true });
    const draft = { subject: 'Hi', from: 'news@shop.example', lists: [list], format: 'html', body: BODY };
    const now = await api('POST', '/api/campaigns', { ...draft, name: 'Now' });
    const later = await api('POST', '/api/campaigns', { ...draft, name: 'Later', sendAt: new Date(Date.now() + 3_600_000).toISOString() });
    const stillDraft = await api('POST', '/api/campaigns', { ...draft, name: 'Draft' });
    await api('PATCH', '/api/settings', { tracking: 'anonymous', trackingDomain: null });

    expect(await api('POST', `/api/campaigns/${now.id}/send`)).toMatchObject({ status: 'queued', tracking: 'anonymous', trackingDomain: null });
    expect(await api('POST', `/api/campaigns/${later.id}/send`)).toMatchObject({ status: 'scheduled', tracking: 'anonymous', trackingDomain: null });
    await api('PATCH', '/api/settings', { tracking: 'on', trackingDomain: 'click.shop.example' });

    // Past draft a null domain is PUBLIC_URL, not the install's new domain.
    expect(await api('GET', `/api/campaigns/${now.id}`)).toMatchObject({ tracking: 'anonymous', trackingDomain: null });
    expect(await policyOf(now.id)).toEqual({ mode: 'anonymous', domain: null });
    expect(await policyOf(later.id)).toEqual({ mode: 'anonymous', domain: null });
    // A draft still follows the install.
    expect(await api('GET', `/api/campaigns/${stillDraft.id}`)).toMatchObject({ tracking: null, trackingDomain: null });
    expect(await policyOf(stillDraft.id)).toEqual({ mode: 'on', domain: 'click.shop.example' });
  });

  it('a scheduled campaign edited back to "the install\'s mode" takes the install\'s mode of that moment; a null domain there is PUBLIC_URL', async () => {
    const list = (await api('POST', '/api/lists', { name: 'News' })).id;
    await api('POST', '/api/sending-servers', { name: 'Inbox', driver: 'capture', isDefault: true });
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const campaign = await api('POST', '/api/campaigns', { name: 'Later', subject: 'Hi', from: 'news@shop.example', lists: [list], format: 'html', body: BODY, sendAt, tracking: 'off', trackingDomain: 'stats.shop.example' });
    await api('PATCH', '/api/settings', { tracking: 'anonymous', trackingDomain: 'click.shop.example' });
    expect(await api('POST', `/api/campaigns/${campaign.id}/send`)).toMatchObject({ status: 'scheduled', tracking: 'off', trackingDomain: 'stats.shop.example' });
    expect(await api('PATCH', `/api/campaigns/${campaign.id}`, { tracking: null, trackingDomain: null })).toMatchObject({ tracking: 'anonymous', trackingDomain: null });
    await api('PATCH', '/api/settings', { tracking: 'on', trackingDomain: 'stats.shop.example' });
    // What the API showed, sent back (as the dashboard's editor does), changes nothing.
    expect(await api('PATCH', `/api/campaigns/${campaign.id}`, { subject: 'Hi again', tracking: 'anonymous', trackingDomain: null })).toMatchObject({ tracking: 'anonymous', trackingDomain: null });
    expect(await policyOf(campaign.id)).toEqual({ mode: 'anonymous', domain: null });
  });
});
