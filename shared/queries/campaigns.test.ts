import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { createCampaign, getCampaign, sendableGuard, transitionCampaign, updateCampaign, type CampaignContent } from './campaigns';
import { createList } from './lists';
import { createSendingServer } from './sending-servers';

const content: CampaignContent = {
  name: 'c',
  subject: 's',
  fromAddress: 'news@shop.example',
  format: 'text',
  body: 'hi',
  sendAt: null,
};

describe('campaign queries', () => {
  let t: TestDatabase;
  let lists: number[];
  beforeEach(async () => {
    t = await createTestDatabase();
    lists = [(await createList(t.db, { name: 'a', optin: 'single' })).id, (await createList(t.db, { name: 'b', optin: 'single' })).id];
  });
  afterEach(() => t.close());

  it('links the new campaign, not an older one, to its lists', async () => {
    const first = await createCampaign(t.db, content, [lists[0]!]);
    const second = await createCampaign(t.db, content, [lists[1]!, 999]);
    expect(first.lists).toEqual([lists[0]]);
    // A list that vanished between the check and the write is skipped, not a failed insert.
    expect(second.lists).toEqual([lists[1]]);
  });

  it('changes neither content nor lists of a campaign that is no longer editable', async () => {
    const campaign = await createCampaign(t.db, content, [lists[0]!]);
    await t.client.execute({ sql: "update campaigns set status = 'sending' where id = ?", args: [campaign.id] });
    expect(await updateCampaign(t.db, campaign.id, { subject: 'changed' }, [lists[1]!])).toEqual({ refusedInStatus: 'sending' });
    expect(await getCampaign(t.db, campaign.id)).toMatchObject({ subject: 's', lists: [lists[0]] });
    expect(await updateCampaign(t.db, 999, { subject: 'x' }, undefined)).toBeNull();
  });

  it('sends only a draft that still has a list and a server when the update runs', async () => {
    const listless = await createCampaign(t.db, content, []);
    const ready = await createCampaign(t.db, content, [lists[0]!]);
    // No server at all yet: the guard refuses even though the status allows it.
    expect(await transitionCampaign(t.db, ready.id, 'send', sendableGuard(ready.id))).toEqual({ refusedInStatus: 'draft' });
    await createSendingServer(t.db, { name: 'x', driver: 'capture', config: {}, secrets: null, rate: null, domainRates: {}, isDefault: false });
    expect(await transitionCampaign(t.db, listless.id, 'send', sendableGuard(listless.id))).toEqual({ refusedInStatus: 'draft' });
    expect(await transitionCampaign(t.db, ready.id, 'send', sendableGuard(ready.id))).toMatchObject({ status: 'queued' });
    expect(await transitionCampaign(t.db, ready.id, 'send', sendableGuard(ready.id))).toEqual({ refusedInStatus: 'queued' });
  });
});
