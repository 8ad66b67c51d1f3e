// The Subscribers screens in Chromium on the whole stack (edge, sender, SMTP sink): a CSV
// import through the mapping step with a bad row (and two files it refuses, saying why),
// search, an attribute filter, editing an attribute, adding and deleting a subscriber,
// each checked through the API; the activity timeline; the CSV export, and an ended session
// sent to sign-in by it. EDGEPOST_SCREENSHOTS=1 refreshes
// docs/screenshots/subscribers-*.png.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumInstalled, startDashboardSession, type DashboardSession } from './helpers/dashboard-browser';
import { subscribers } from '../shared/db/schema';
import { seedMessages } from './helpers/tracking-seed';

interface Subscriber {
  id: number;
  email: string;
  name: string;
  attributes: Record<string, unknown>;
  lists: { listId: number; status: string }[];
}

const CSV = [
  // "Contact" is no name the API recognises as the address: the marketer maps it.
  'Contact,Full name,City',
  'ada@example.com,Ada Lovelace,London',
  'not-an-address,Bad Row,Paris',
  'grace@example.com,Grace Hopper,Arlington',
].join('\r\n');

/** expect.poll with room for a busy machine (its default gives up after one second). */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 10_000 });

describe.skipIf(!chromiumInstalled)('subscribers screens', () => {
  let session: DashboardSession;
  let listId: number;

  beforeAll(async () => {
    session = await startDashboardSession();
    // A missing element fails the step that wanted it, not the whole test's timeout.
    session.page.setDefaultTimeout(10_000);
    listId = (await session.stack.api<{ id: number }>('POST', '/lists', { name: 'Customers' })).id;
  }, 120_000);
  afterAll(() => session?.close());

  async function subscriberByEmail(email: string): Promise<Subscriber> {
    const page = await session.stack.api<{ data: { id: number }[] }>('GET', `/subscribers?search=${encodeURIComponent(email)}`);
    expect(page.data).toHaveLength(1);
    return session.stack.api<Subscriber>('GET', `/subscribers/${page.data[0]!.id}`);
  }

  it('imports a CSV with a bad row through the mapping step, and says why a file is refused', async () => {
    const { page, snap } = session;
    await page.goto(`/subscribers/import?list=${listId}`);
    const fileInput = page.locator('input[type="file"]');

    await fileInput.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47]) });
    await page.getByRole('alert').getByText('logo.png is not a CSV file').waitFor();
    // The API's own reading of a broken file reaches the marketer.
    await fileInput.setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from('email,name\na@example.com,"Ann\n') });
    await page.getByRole('alert').getByText(/A quoted field is never closed/).waitFor();

    await fileInput.setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.getByRole('rowheader', { name: 'Contact' }).waitFor();
    await page.getByText('Choose the column that holds the email addresses').waitFor();
    const start = page.getByRole('button', { name: 'Start import' });
    expect(await start.isDisabled()).toBe(true);
    await page.getByRole('button', { name: /Contact becomes/ }).click();
    await page.getByRole('option', { name: 'Email address' }).click();
    expect(await page.getByLabel('Attribute name for City').inputValue()).toBe('city');
    expect(await page.getByRole('checkbox', { name: 'Customers' }).isChecked()).toBe(true);
    await snap('subscribers-import-mapping');
    await start.click();

    await page.getByText('Finished.').waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).pathname).toMatch(/^\/subscribers\/imports\/\d+$/);
    const rejects = page.getByRole('region', { name: 'Rejected rows' });
    await poll(() => rejects.getByRole('row').allInnerTexts()).toEqual([
      expect.stringMatching(/^Row\s+Reason$/),
      expect.stringMatching(/^3\s+email "not-an-address": email must be an address like name@example.com$/),
    ]);
    await poll(() => page.getByRole('progressbar').getAttribute('aria-valuetext')).toBe('3 of 3 rows');
    await snap('subscribers-import-report');

    const members = await session.stack.api<{ data: { email: string }[] }>('GET', `/subscribers?list=${listId}`);
    expect(members.data.map((s) => s.email).sort()).toEqual(['ada@example.com', 'grace@example.com']);
    expect(await subscriberByEmail('ada@example.com')).toMatchObject({ name: 'Ada Lovelace', attributes: { city: 'London' }, lists: [{ listId }] });
  }, 50_000);

  it('finds a subscriber by search and by attribute, and edits an attribute', async () => {
    const { page, snap } = session;
    await page.goto('/subscribers');
    const rows = page.getByRole('grid', { name: 'Subscribers' }).getByRole('row');
    await poll(() => rows.count()).toBe(3);
    await snap('subscribers-list');

    await page.getByLabel('Search').fill('hopper');
    await poll(() => rows.count()).toBe(2);
    expect(new URL(page.url()).searchParams.get('search')).toBe('hopper');
    await page.getByLabel('Search').fill('');
    await poll(() => rows.count()).toBe(3);

    await page.getByLabel('Attribute', { exact: true }).fill('city');
    await page.getByLabel('equals').fill('London');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await poll(() => rows.count()).toBe(2);
    expect(await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe('/api/subscribers/export?attr.city=London');
    await page.getByRole('button', { name: 'Remove the filter city = London' }).click();
    await poll(() => rows.count()).toBe(3);

    await page.getByRole('row', { name: /grace@example\.com/ }).click();
    await page.getByRole('heading', { name: 'grace@example.com' }).waitFor();
    await page.getByLabel('Value of city').fill('Boston');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.').waitFor();
    await snap('subscribers-detail');
    expect((await subscriberByEmail('grace@example.com')).attributes).toEqual({ city: 'Boston' });
  }, 30_000);

  it('adds a subscriber with an attribute, then deletes them after confirming', async () => {
    const { page } = session;
    await page.goto('/subscribers/new');
    await page.getByLabel('Email').fill('new@example');
    await page.getByLabel('Email').blur();
    await page.getByText('Enter an address like name@example.com').waitFor();
    await page.getByLabel('Email').fill('alan@example.com');
    await page.getByLabel('Name', { exact: true }).fill('Alan Turing');
    await page.getByRole('button', { name: 'Add attribute' }).click();
    const key = page.getByLabel('Attribute 1', { exact: true });
    await key.waitFor();
    // A new row does not open in red; leaving it empty does.
    expect(await page.getByText('Name the attribute').count()).toBe(0);
    await key.blur();
    await page.getByText('Name the attribute').waitFor();
    await key.fill('plan');
    await page.getByLabel('Value of plan').fill('pro');
    // React Aria hides the native input under its label: click what the user sees.
    await page.locator('label', { hasText: 'Customers' }).click();
    expect(await page.getByRole('checkbox', { name: 'Customers' }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Add subscriber' }).click();
    await page.getByRole('heading', { name: 'alan@example.com' }).waitFor();
    const alan = await subscriberByEmail('alan@example.com');
    expect(alan).toMatchObject({ name: 'Alan Turing', attributes: { plan: 'pro' }, lists: [{ listId, status: 'subscribed' }] });

    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Delete alan@example.com?' });
    await dialog.getByRole('button', { name: 'Delete subscriber' }).click();
    await page.getByRole('heading', { name: 'Subscribers' }).waitFor();
    await expect(session.stack.api('GET', `/subscribers/${alan.id}`)).rejects.toThrow(/404/);
  }, 30_000);

  it('shows the messages a subscriber was sent on their timeline', async () => {
    const { page } = session;
    const seed = await seedMessages(session.stack.database.db, 1);
    await page.goto(`/subscribers/${seed.subscriberIds[0]}`);
    const timeline = page.getByRole('region', { name: 'Activity' });
    await poll(() => timeline.getByRole('listitem').allInnerTexts()).toEqual([expect.stringMatching(/Sent\s+Spring$/)]);
    expect(await timeline.getByRole('link', { name: 'Spring' }).getAttribute('href')).toBe(`/campaigns/${seed.campaignId}`);
  }, 20_000);

  it('pages through subscribers 50 at a time', async () => {
    const { page } = session;
    const before = (await session.stack.api<{ data: unknown[] }>('GET', '/subscribers?limit=200')).data.length;
    const rows = Array.from({ length: 60 - before }, (_, i) => ({ email: `page${i}@example.com` }));
    await session.stack.database.db.insert(subscribers).values(rows);
    await page.goto('/subscribers');
    const pager = page.getByRole('navigation', { name: 'Pages' });
    await pager.getByText('1–50').waitFor();
    await pager.getByRole('button', { name: 'Next' }).click();
    await pager.getByText('51–60').waitFor();
    expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await pager.getByRole('button', { name: 'Previous' }).click();
    await pager.getByText('1–50').waitFor();
  }, 20_000);

  // Last: it ends the session.
  it('exports what the filter selects as a CSV file, and sends an ended session to sign-in instead', async () => {
    const { page } = session;
    await page.goto('/subscribers?search=grace');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv).toContain('grace@example.com');
    expect(csv).not.toContain('ada@example.com');

    await page.context().clearCookies();
    await page.getByRole('link', { name: 'Export CSV' }).click();
    await page.getByRole('heading', { name: 'Sign in to Edgepost' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  }, 20_000);
});
