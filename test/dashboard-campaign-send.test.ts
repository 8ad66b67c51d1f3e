// The campaign page in a browser on the whole stack (edge, sender, SMTP sink as the relay):
// the empty overview, a test to one address seen sent and received, the campaign sent after
// its confirmation and followed to done on the live progress bar, then a reader's click
// from a received mail showing up in the results. EDGEPOST_SCREENSHOTS=1 refreshes
// docs/screenshots/campaigns.png and campaign*.png.
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages, subscribers } from '../shared/db/schema';
import { recordDeliveryEvents } from '../shared/queries/delivery-events';
import { chromiumInstalled, startDashboardSession, type DashboardSession } from './helpers/dashboard-browser';
import { waitFor } from './helpers/sender';

const RECIPIENTS = 4;
const TESTER = 'tester@example.net';
const LINK = 'https://shop.example.com/spring';
const HUMAN_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const body = `<p>Hello {{ subscriber.name | default: "friend" }},</p>
<p><a href="${LINK}">See the spring sale</a></p>
<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>`;

describe.skipIf(!chromiumInstalled)('campaign page in a browser', () => {
  let session: DashboardSession;
  beforeAll(async () => {
    session = await startDashboardSession();
  }, 120_000);
  afterAll(() => session?.close());

  it('shows the empty overview with a way to start', async () => {
    const { page } = session;
    await page.goto('/campaigns');
    await page.getByRole('heading', { name: 'No campaigns yet' }).waitFor();
    expect(await page.getByRole('link', { name: 'New campaign' }).getAttribute('href')).toBe('/campaigns/new');
  });

  it('sends a test, sends the campaign, follows its progress and shows a click in the results', async () => {
    const { page, stack, snap } = session;
    const campaign = await createCampaign(session);

    await page.goto('/campaigns');
    await page.getByRole('rowheader', { name: /Spring sale/ }).getByRole('link', { name: 'Spring sale' }).click();
    await page.getByRole('heading', { name: 'Spring sale', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/campaigns/${campaign.id}`);
    expect(await page.getByTestId('campaign-status').textContent()).toBe('Draft');
    expect(await page.getByRole('link', { name: 'Edit' }).getAttribute('href')).toBe(`/campaigns/${campaign.id}/edit`);
    await page.getByText(`Newsletter (${RECIPIENTS} subscribed)`).waitFor();

    // The test: a wrong address is refused as typed, then one address is sent and received.
    const addresses = page.getByLabel('Test addresses');
    await addresses.fill(`${TESTER}, not-an-address`);
    await addresses.blur();
    await page.getByText('“not-an-address” is not an address like name@example.com').waitFor();
    await addresses.fill(TESTER);
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText('Test sent to every address.').waitFor();
    expect(await page.getByRole('list', { name: 'Test results' }).textContent()).toContain(`${TESTER}: sent`);
    const testMail = stack.sink.received.find((mail) => mail.envelopeTo.includes(TESTER));
    expect(testMail).toBeDefined();
    expect((await simpleParser(testMail!.raw)).subject).toBe('[Test] Spring sale for Test Recipient');
    await snap('campaign-test');

    // Send, confirmed in a dialog; the page follows it to the end without a reload.
    stack.sink.delayMs = 150;
    await page.getByRole('button', { name: 'Send campaign' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Send “Spring sale” now?' });
    expect(await dialog.textContent()).toContain(`up to ${RECIPIENTS} subscribers`);
    await snap('campaign-send-dialog');
    await dialog.getByRole('button', { name: 'Send now' }).click();
    const progress = page.getByRole('progressbar', { name: 'Messages processed' });
    await expect.poll(() => progress.getAttribute('aria-valuenow'), { timeout: 20_000 }).toBe(String(RECIPIENTS));
    expect(await progress.getAttribute('aria-valuemax')).toBe(String(RECIPIENTS));
    await expect.poll(() => page.getByTestId('campaign-status').textContent(), { timeout: 10_000 }).toBe('Sent');
    await page.getByText(`Done: ${RECIPIENTS} sent.`).waitFor();
    expect(await page.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    expect((await stack.api('GET', `/campaigns/${campaign.id}`)).status).toBe('sent');
    const delivered = stack.sink.received.filter((mail) => !mail.envelopeTo.includes(TESTER));
    expect(delivered).toHaveLength(RECIPIENTS);

    // A reader clicks, well after the message was sent (the early-click rule takes clicks
    // within seconds of the send for a gateway's), with a browser's user agent.
    await stack.database.db.update(messages).set({ sentAt: Date.now() - 60_000 }).where(eq(messages.campaignId, campaign.id));
    const html = (await simpleParser(delivered[0]!.raw)).html as string;
    const clickUrl = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&')).find((href) => href.startsWith(`${stack.base}/t/c/`));
    const click = await fetch(clickUrl!, { redirect: 'manual', headers: { 'user-agent': HUMAN_AGENT } });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(LINK);
    await waitFor('the click recorded', async () => ((await stack.api('GET', `/campaigns/${campaign.id}/stats`)).clicked.human.unique === 1 ? true : undefined));
    // And one address bounces, as the bounce inbox would record it.
    const [bounced] = await stack.database.db
      .select({ id: messages.id, recipient: subscribers.email })
      .from(messages)
      .innerJoin(subscribers, eq(subscribers.id, messages.subscriberId))
      .where(eq(messages.campaignId, campaign.id))
      .limit(1);
    const recipient = bounced!.recipient;
    await recordDeliveryEvents(stack.database.db, [
      { source: 'bounce-inbox', key: 'bounce-inbox:test-1', type: 'bounce', bounceClass: 'hard', messageId: bounced!.id, recipient, occurredAt: Date.now(), status: '5.1.1', diagnostic: '550 5.1.1 mailbox unknown' },
    ]);

    await page.reload();
    const links = page.getByRole('region', { name: 'Top links' });
    await links.getByRole('rowheader', { name: LINK }).waitFor();
    const clicked = page.getByRole('table', { name: /Opens and clicks/ }).getByRole('row', { name: /^Clicked/ });
    // Clicked: 1 hit, 1 message, rate 1/4, 1 by people, 25%, 0 by machines.
    expect(await clicked.getByRole('cell').allTextContents()).toEqual(['1', '1', '25%', '1', '25%', '0']);
    await snap('campaign');
    // Over time: the charts draw, and their table alternative holds the click.
    const timeline = page.getByRole('region', { name: 'Over time' });
    await timeline.locator('svg.recharts-surface').first().waitFor();
    await timeline.getByText('Opens and clicks over time as a table').click();
    expect(await timeline.getByRole('row').nth(1).getByRole('cell').allTextContents()).toEqual(['0', '0', '1', '0']);
    const domain = page.getByRole('region', { name: 'By domain' }).getByRole('row', { name: /^example\.org/ });
    expect(await domain.getByRole('cell').first().textContent()).toBe(String(RECIPIENTS));
    const bounce = page.getByRole('region', { name: 'Bounces and complaints' }).getByRole('row', { name: new RegExp(recipient) });
    expect(await bounce.textContent()).toMatch(/Hard bounce.*5\.1\.1 550 5\.1\.1 mailbox unknown.*bounce-inbox/);
    await page.getByRole('heading', { name: 'Results' }).evaluate((el) => el.scrollIntoView());
    await snap('campaign-results');
    await page.getByRole('heading', { name: 'Top links' }).evaluate((el) => el.scrollIntoView());
    await snap('campaign-reports');

    await page.goto('/campaigns');
    const row = page.getByRole('row', { name: /Spring sale/ });
    await row.getByText('Sent', { exact: true }).waitFor();
    await expect.poll(() => row.getByRole('cell').nth(2).textContent()).toBe(String(RECIPIENTS));
    await snap('campaigns');
  }, 60_000);

  it('shows the API refusing a send, then schedules, pauses, resumes and cancels', async () => {
    const { page, stack } = session;
    const draft = { subject: 'Later', from: 'Shop <news@shop.example.com>', format: 'text', body: 'Hello {{ subscriber.name }}' };
    const unlisted = await stack.api('POST', '/campaigns', { ...draft, name: 'No lists yet' });
    await page.goto(`/campaigns/${unlisted.id}`);
    await page.getByText('None yet: add a list before sending').waitFor();
    await page.getByRole('button', { name: 'Send campaign' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Send now' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain(`Campaign ${unlisted.id} has no lists to send to`);
    expect((await stack.api('GET', `/campaigns/${unlisted.id}`)).status).toBe('draft');

    const [list] = (await stack.api('GET', '/lists')).data;
    const sendAt = new Date(Date.now() + 24 * 3600_000).toISOString();
    const later = await stack.api('POST', '/campaigns', { ...draft, name: 'Next week', lists: [list.id], sendAt });
    await page.goto(`/campaigns/${later.id}`);
    const status = page.getByTestId('campaign-status');
    await page.getByRole('button', { name: 'Schedule campaign' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Schedule' }).click();
    await expect.poll(() => status.textContent()).toBe('Scheduled');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => status.textContent()).toBe('Paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => status.textContent()).toBe('Scheduled');
    await page.getByRole('button', { name: 'Cancel campaign' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel campaign' }).click();
    await expect.poll(() => status.textContent()).toBe('Cancelled');
    expect(await page.getByRole('group', { name: 'Campaign actions' }).count()).toBe(0);
    expect((await stack.api('GET', `/campaigns/${later.id}`)).status).toBe('cancelled');
  });
});

/** A list of RECIPIENTS subscribers, the sink as the default relay, and a draft to them. */
async function createCampaign({ stack }: DashboardSession): Promise<{ id: number }> {
  const list = await stack.api('POST', '/lists', { name: 'Newsletter', optin: 'single' });
  for (let i = 1; i <= RECIPIENTS; i++) {
    await stack.api('POST', '/subscribers', { email: `reader${i}@example.org`, name: `Reader ${i}`, lists: [list.id] });
  }
  await stack.api('POST', '/sending-servers', {
    name: 'Loopback relay',
    driver: 'smtp',
    config: { host: '127.0.0.1', port: stack.sink.port, security: 'none' },
    isDefault: true,
  });
  return stack.api('POST', '/campaigns', {
    name: 'Spring sale',
    subject: 'Spring sale for {{ subscriber.name }}',
    from: 'Shop <news@shop.example.com>',
    lists: [list.id],
    format: 'html',
    body,
  });
}
