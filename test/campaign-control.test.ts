// The marketer's pause, resume and cancel, through the API, while the sender plane is in
// the middle of a campaign.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/sender';
import { startStack, type Stack } from './helpers/stack';

const RECIPIENTS = 150;

describe('campaign control mid-send', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack();
    stack.sink.delayMs = 20; // slow enough to act mid-campaign
  });
  afterEach(() => stack.close());

  async function startCampaign(): Promise<number> {
    const { api, sink } = stack;
    const list = await api('POST', '/lists', { name: 'All', optin: 'single' });
    for (let i = 1; i <= RECIPIENTS; i++) await api('POST', '/subscribers', { email: `p${i}@example.net`, lists: [list.id] });
    await api('POST', '/sending-servers', { name: 'relay', driver: 'smtp', config: { host: '127.0.0.1', port: sink.port, security: 'none' }, isDefault: true });
    const campaign = await api('POST', '/campaigns', { name: 'C', subject: 'S', from: 'news@example.com', lists: [list.id], format: 'text', body: 'Hello' });
    await api('POST', `/campaigns/${campaign.id}/send`);
    await waitFor('the first messages', async () => (sink.received.length >= 20 ? true : undefined));
    return campaign.id;
  }
  const settle = () => new Promise((r) => setTimeout(r, 1_500));

  it('pause stops sending, resume finishes, and nobody gets the campaign twice', async () => {
    const id = await startCampaign();
    await stack.api('POST', `/campaigns/${id}/pause`);
    await settle(); // messages already in flight may still land
    const atPause = stack.sink.received.length;
    await settle();
    expect(stack.sink.received.length).toBe(atPause);
    expect(atPause).toBeLessThan(RECIPIENTS);
    expect((await stack.api('GET', `/campaigns/${id}`)).status).toBe('paused');

    await stack.api('POST', `/campaigns/${id}/resume`);
    await stack.campaignReaches(id, 'sent');
    const recipients = stack.sink.received.map((m) => m.envelopeTo[0]);
    expect(recipients).toHaveLength(RECIPIENTS);
    expect(new Set(recipients).size).toBe(RECIPIENTS);
  });

  it('cancel stops sending and ends every remaining message as cancelled', async () => {
    const id = await startCampaign();
    await stack.api('POST', `/campaigns/${id}/cancel`);
    await settle();
    const atCancel = stack.sink.received.length;
    const stats = await waitFor('every message ended', async () => {
      const s = await stack.api('GET', `/campaigns/${id}/stats`);
      return s.queued === 0 ? s : undefined;
    });
    expect(stack.sink.received.length).toBe(atCancel);
    expect(atCancel).toBeLessThan(RECIPIENTS);
    expect(stats.status).toBe('cancelled');
    expect(stats.sent).toBe(atCancel);
    // Recipients not yet fanned out get no message row at all; the rest end cancelled.
    expect(stats.sent + stats.skipped).toBe(stats.recipients);
  });
});
