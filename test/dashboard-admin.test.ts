// Sending servers, webhooks and suppressions in Chromium on the whole stack: an SMTP server
// added for the sink and validated by the sender's live check (passes), another pointed at a
// closed port (the problem shown on its field); a webhook endpoint whose secret shows once;
// a test ping in its delivery log; a relay webhook source and its URL; two addresses
// suppressed, one lifted. EDGEPOST_SCREENSHOTS=1 refreshes their screenshots.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { freePort } from '../node/free-port';
import { chromiumInstalled, startDashboardSession, type DashboardSession } from './helpers/dashboard-browser';

describe.skipIf(!chromiumInstalled)('sending servers, webhooks and suppressions screens', () => {
  let s: DashboardSession;
  let page: Page;

  beforeAll(async () => {
    s = await startDashboardSession();
    page = s.page;
  }, 60_000);

  afterAll(async () => {
    await s?.close();
  });

  it('adds an SMTP server for the sink, validates it on the relay, and shows a failing one', async () => {
    await page.goto('/sending-servers');
    await page.getByRole('link', { name: 'Add a server' }).click();
    await page.getByRole('heading', { name: 'Add a sending server' }).waitFor();

    await box(page, 'Name').fill('Sink relay');
    await box(page, 'Host').fill('127.0.0.1');
    // The driver's own schema runs as the user types.
    const port = box(page, 'Port');
    await port.fill('smtp');
    await port.blur();
    await page.getByText('port must be a whole number, e.g. 587').waitFor();
    await port.fill(String(s.stack.sink.port));
    await choose(page, 'Security', 'none');
    await s.snap('sending-server');
    await box(page, 'Rate').fill('50/s');
    await page.getByRole('button', { name: 'Add a domain rate' }).click();
    await box(page, 'Domain 1').fill('gmail');
    await box(page, 'Domain 1').blur();
    await page.getByText('Enter a domain name with a dot, e.g. gmail.com').waitFor();
    await box(page, 'Domain 1').fill('gmail.com');
    await box(page, 'Rate for domain 1').fill('20/min');
    await page.getByRole('button', { name: 'Add server' }).click();
    await page.getByRole('heading', { name: 'Sink relay' }).waitFor();
    const id = Number(new URL(page.url()).pathname.split('/').pop());

    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByText('The relay accepted the settings.').waitFor({ timeout: 20_000 });
    const saved = await s.stack.api('GET', `/sending-servers/${id}`);
    expect(saved).toMatchObject({
      driver: 'smtp',
      config: { host: '127.0.0.1', port: s.stack.sink.port, security: 'none' },
      rate: { count: 50, per: 'second' },
      domainRates: { 'gmail.com': { count: 20, per: 'minute' } },
      connectionCheck: { status: 'ok', problems: [] },
    });
    expect(s.stack.sink.received).toHaveLength(0);
    await s.snap('sending-server-health');

    // A relay that is not there: the sender's check fails and names the host setting.
    const closed = await freePort();
    await page.getByRole('link', { name: '← All sending servers' }).click();
    await page.getByRole('link', { name: 'Add a server' }).click();
    await box(page, 'Name').fill('Broken relay');
    await box(page, 'Host').fill('127.0.0.1');
    await box(page, 'Port').fill(String(closed));
    await choose(page, 'Security', 'none');
    await page.getByRole('button', { name: 'Add server' }).click();
    await page.getByRole('heading', { name: 'Broken relay' }).waitFor();
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByText('Fix these, save, and validate again:').waitFor({ timeout: 20_000 });
    const problems = page.getByRole('list', { name: 'Problems found' });
    expect(await problems.textContent()).toContain(`127.0.0.1:${closed}`);
    // The same problem sits on the Host field.
    await page.getByText(`127.0.0.1:${closed}`).first().waitFor();
    expect(await box(page, 'Host').getAttribute('aria-invalid')).toBe('true');

    await page.getByRole('link', { name: '← All sending servers' }).click();
    await page.getByRole('rowheader', { name: /Broken relay/ }).waitFor();
    const row = page.getByRole('row', { name: /Sink relay/ });
    expect(await row.textContent()).toContain('Passed');
    expect(await page.getByRole('row', { name: /Broken relay/ }).textContent()).toContain('Failed');
    await s.snap('sending-servers');

    await page.getByRole('button', { name: 'Make Broken relay the default' }).click();
    await page.getByRole('button', { name: 'Make Sink relay the default' }).waitFor();
    const servers = await s.stack.api('GET', '/sending-servers');
    expect(servers.data.map((x: { name: string; isDefault: boolean }) => [x.name, x.isDefault])).toEqual([['Sink relay', false], ['Broken relay', true]]);
  }, 50_000);

  it('creates a webhook endpoint and shows its secret once', async () => {
    await page.goto('/webhooks');
    await page.getByRole('heading', { name: 'New endpoint' }).waitFor();
    const url = box(page, 'Endpoint URL');
    await url.fill('ftp://hooks.example.com');
    await url.blur();
    await page.getByText('Enter an http or https URL').waitFor();
    await url.fill('https://hooks.example.com/edgepost');
    await box(page, 'Description').fill('CRM sync');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByText('Pick at least one event').waitFor();
    await page.getByRole('checkbox', { name: /message\.bounced/ }).check({ force: true });
    await page.getByRole('checkbox', { name: /subscriber\.unsubscribed/ }).check({ force: true });
    await page.getByRole('button', { name: 'Add endpoint' }).click();

    const secret = await page.getByTestId('webhook-secret').textContent();
    expect(secret).toMatch(/^whsec_/);
    const endpoints = await s.stack.api('GET', '/webhook-endpoints');
    expect(endpoints.data).toEqual([expect.objectContaining({ url: 'https://hooks.example.com/edgepost', description: 'CRM sync', events: ['message.bounced', 'subscriber.unsubscribed'], active: true })]);
    expect(JSON.stringify(endpoints)).not.toContain(secret);
    await page.evaluate(() => window.scrollTo(0, 0));
    await s.snap('webhooks');
    await page.getByRole('button', { name: 'I have saved it' }).click();
    await expect.poll(() => page.getByTestId('webhook-secret').count()).toBe(0);

    // The endpoint's page never shows it again; a test ping shows in its deliveries with
    // the sender's attempt (this machine has no network, so it cannot reach the host).
    await page.getByRole('link', { name: 'https://hooks.example.com/edgepost' }).click();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    expect(await page.content()).not.toContain(secret);
    await page.getByRole('button', { name: 'Send test ping' }).click();
    await page.getByText(/Test ping #\d+ queued/).waitFor();
    const ping = page.getByRole('row', { name: /ping/ });
    await ping.getByText('Not tried yet').waitFor();
    await expect.poll(() => ping.getByText('Not tried yet').count(), { timeout: 20_000 }).toBe(0);
    const [delivery] = (await s.stack.api('GET', `/webhook-endpoints/${endpoints.data[0].id}/deliveries`)).data;
    expect(delivery).toMatchObject({ event: 'ping', status: 'pending', attempts: 1, lastError: expect.any(String) });
    expect(await ping.textContent()).toContain(delivery.lastError);
    expect(await ping.textContent()).toMatch(/next try/);
  }, 40_000);

  it('adds a relay webhook source and shows the URL to paste into the relay', async () => {
    await page.getByRole('link', { name: '← All endpoints' }).click();
    await page.getByRole('tab', { name: 'Relay webhook sources' }).click();
    await page.getByRole('heading', { name: 'New relay webhook source' }).waitFor();
    await box(page, 'Name').fill('Mailgun EU');
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.getByText('Enter the http webhook signing key').waitFor();
    await box(page, 'HTTP webhook signing key').fill('key-0123456789abcdef');
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.getByRole('region', { name: 'Relay source Mailgun EU' }).waitFor();
    expect(await page.getByTestId('relay-url').textContent()).toBe(`${s.stack.base}/hooks/mailgun`);
    const sources = await s.stack.api('GET', '/relay-webhooks');
    expect(sources.data).toEqual([expect.objectContaining({ provider: 'mailgun', name: 'Mailgun EU', secretsSet: ['signingKey'] })]);
    expect(await page.content()).not.toContain('key-0123456789abcdef');
    await s.snap('webhooks-relays');
  }, 20_000);

  it('suppresses two addresses and lifts one', async () => {
    await page.goto('/suppressions');
    const addresses = box(page, 'Addresses');
    await addresses.fill('one@example.com\nnot an address');
    await addresses.blur();
    await page.getByText('Not an address like name@example.com: line 2 ("not an address")').waitFor();
    await addresses.fill('one@example.com\nTwo@Example.com');
    await box(page, 'Note').fill('asked by phone');
    await page.getByRole('button', { name: 'Suppress' }).click();
    await page.getByText('Suppressed 2 addresses.').waitFor();
    await page.getByRole('rowheader', { name: 'two@example.com' }).waitFor();

    // Search by the start of the address.
    await page.getByRole('searchbox', { name: 'Search' }).fill('two');
    await expect.poll(() => page.getByRole('rowheader').allTextContents()).toEqual(['two@example.com']);
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await expect.poll(() => page.getByRole('rowheader').allTextContents()).toEqual(['one@example.com', 'two@example.com']);
    expect(await page.getByRole('row', { name: /one@example.com/ }).textContent()).toContain('asked by phone');
    await s.snap('suppressions');

    await page.getByRole('button', { name: 'Lift the suppression of one@example.com' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Lift suppression' }).click();
    await expect.poll(() => page.getByRole('rowheader').allTextContents()).toEqual(['two@example.com']);
    const left = await s.stack.api('GET', '/suppressions');
    expect(left.data.map((r: { email: string; reason: string }) => [r.email, r.reason])).toEqual([['two@example.com', 'manual']]);
  }, 30_000);
});

/** The text field (or text area) labelled exactly `name`. */
function box(page: Page, name: string) {
  return page.getByRole('textbox', { name, exact: true });
}

/** Picks `option` in the React Aria select labelled `label` (its button is named "<value> <label>"). */
async function choose(page: Page, label: string, option: string) {
  await page.getByRole('button', { name: new RegExp(`${label}$`) }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}
