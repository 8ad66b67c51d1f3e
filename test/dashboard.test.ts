// The dashboard in headless Chromium (Debian's package, driven by playwright-core) against
// the Node edge on a real database: first-run setup, a list, sign-out, a lapsed session
// that keeps the form's draft, sign-in again. EDGEPOST_SCREENSHOTS=1 also refreshes
// docs/screenshots/ (setup, sign-in, lists) at 1280×800.
import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureDashboardBuilt } from '../dashboard/scripts/ensure-built';
import { serveEdge, type EdgeServer } from '../edge/node/serve-edge';
import { edgeConfigSchema, parseConfig } from '../shared/config';
import { listLists } from '../shared/queries/lists';
import { createTestDatabase, type TestDatabase } from './helpers/database';

const CHROMIUM = '/usr/bin/chromium';
const installed = existsSync(CHROMIUM);
if (!installed) console.warn('dashboard.test.ts: skipped, Chromium is not installed (apt-get install chromium; .ci/run does it)');
const screenshots = process.env.EDGEPOST_SCREENSHOTS === '1';
const SCREENSHOT_DIR = new URL('../docs/screenshots/', import.meta.url).pathname;

// Each sign-in hashes with the real scrypt parameters (about a second of CPU on this machine's shared cores).
const OWNER = { name: 'Ann Owner', email: 'ann@example.com', password: 'correct horse battery staple' };

describe.skipIf(!installed)('dashboard in a browser', () => {
  let database: TestDatabase;
  let server: EdgeServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureDashboardBuilt((line) => console.log(line));
    database = await createTestDatabase();
    const config = parseConfig(edgeConfigSchema, { DATABASE_URL: database.url, SECRET_KEY: 'dashboard-test-secret-0123456789abcdef' });
    server = await serveEdge({ config, hostname: '127.0.0.1', port: 0 });
    // The flags keep Chromium off the network this machine does not have (see its machine notes).
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, baseURL: server.url });
    if (screenshots) mkdirSync(SCREENSHOT_DIR, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    database?.close();
  });

  async function snap(name: string) {
    if (screenshots) await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png` });
  }

  it('serves the app shell for a screen, long-cached assets, and JSON from the API', async () => {
    const html = await fetch(`${server.url}/lists`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    const asset = (await html.text()).match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${server.url}${asset}`);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // API paths win over the SPA fallback, even for a browser's Accept header.
    const api = await fetch(`${server.url}/api/setup`, { headers: { accept: 'text/html' } });
    expect(await api.json()).toEqual({ needed: true });
    const missing = await fetch(`${server.url}/assets/no-such-file.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('walks first-run setup, creates a list, signs out and in again', async () => {
    await page.goto('/');
    await expect.poll(() => page.url()).toMatch(/\/setup$/);
    await page.getByRole('heading', { name: 'Set up Edgepost' }).waitFor();

    // Validation as the user types: a short password is refused before any request.
    await page.getByLabel('Your name').fill(OWNER.name);
    await page.getByLabel('Email').fill(OWNER.email);
    const password = page.getByLabel('Password');
    await password.fill('short');
    await password.blur();
    await page.getByText('Use at least 12 characters').waitFor();
    await password.fill(OWNER.password);
    await expect.poll(() => page.getByText('Use at least 12 characters').count()).toBe(0);
    await snap('setup');
    await page.getByRole('button', { name: 'Create owner and sign in' }).click();

    await page.getByRole('heading', { name: 'Lists' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/lists');
    await page.getByText('No lists yet').waitFor();
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.getByText('Give the list a name').waitFor();
    await page.getByLabel('Name').fill('Newsletter');
    await page.getByText('Double: confirmed by email').click();
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.getByRole('rowheader', { name: 'Newsletter' }).waitFor();
    const stored = await listLists(database.db, { limit: 10 });
    expect(stored.rows.map((l) => [l.name, l.optin])).toEqual([['Newsletter', 'double']]);
    await snap('lists');

    await page.getByRole('link', { name: 'Captured mail' }).click();
    await page.getByText('Nothing captured yet').waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'Captured mail' }).getAttribute('aria-current')).toBe('page');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Edgepost' }).waitFor();
    // The API's own answer to a wrong password, above the form.
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByLabel('Password').press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong email or password');
    await snap('sign-in');

    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('rowheader', { name: 'Newsletter' }).waitFor();
  }, 120_000);

  it('keeps what the user typed when the session ends mid-edit', async () => {
    await page.goto('/lists');
    await page.getByLabel('Name').fill('Spring sale');
    // The session ends (as after 12 idle hours): the next write gets 401.
    await page.context().clearCookies();
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.getByRole('heading', { name: 'Sign in to Edgepost' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/lists');

    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Lists' }).waitFor();
    expect(await page.getByLabel('Name').inputValue()).toBe('Spring sale');
    const stored = await listLists(database.db, { limit: 10 });
    expect(stored.rows.map((l) => l.name)).toEqual(['Newsletter']);
  }, 60_000);
});
