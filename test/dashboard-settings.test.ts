// The Settings section in Chromium on the whole stack: the soft-bounce rule and the tracking
// default stored; a user added, given a role and a new password, the last owner's demotion
// refused; that editor, signed in elsewhere, sees no admin screens (and the API refuses
// them), changes their own password, is disabled (and signed out) and deleted; an API key
// created, used, and revoked (then 401).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumInstalled, OWNER, startDashboardSession, type DashboardSession } from './helpers/dashboard-browser';

// expect.poll gives up after 1 s by default; a real scrypt hash alone takes about that.
const WAIT = { timeout: 20_000 };
const EDITOR = { name: 'Ed Editor', email: 'ed@example.com', firstPassword: 'first editor password 1', password: 'editor horse battery staple' };

describe.skipIf(!chromiumInstalled)('settings screens', () => {
  let s: DashboardSession;
  let page: Page;

  beforeAll(async () => {
    s = await startDashboardSession();
    page = s.page;
  }, 60_000);

  afterAll(async () => {
    await s?.close();
  });

  it('changes the soft-bounce rule and the tracking default, and stores them', async () => {
    await page.goto('/settings');
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    const limit = page.getByLabel('Soft bounces');
    expect(await limit.inputValue()).toBe('3');
    await limit.fill('0');
    await limit.blur();
    await page.getByText('Enter a whole number from 1 to 100').waitFor();
    await limit.fill('5');
    await page.getByLabel('Within (days)').fill('14');
    await page.getByRole('radio', { name: 'Anonymous' }).check({ force: true });
    const domain = page.getByLabel('Tracking domain');
    await domain.fill('https://click.example.com');
    await domain.blur();
    await page.getByText('Enter the host name only, without https://').waitFor();
    await domain.fill('Click.Example.com');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    expect(await s.stack.api('GET', '/settings')).toEqual({ softBounceLimit: 5, softBounceDays: 14, tracking: 'anonymous', trackingDomain: 'click.example.com' });
    // The form now shows what the API stored (the host name lower-cased).
    expect(await domain.inputValue()).toBe('click.example.com');
    await page.getByText('Current key').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await s.snap('settings-general');
  }, 30_000);

  it('adds an editor, changes a role, and shows the API refusing to demote the last owner', async () => {
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Add a user' }).waitFor();
    await page.getByLabel('Name').fill(EDITOR.name);
    await page.getByLabel('Email').fill(EDITOR.email);
    await chooseRole(page, 'Role', 'Viewer');
    const password = page.getByLabel('First password');
    await password.fill('short');
    await password.blur();
    await page.getByText('Use at least 12 characters').waitFor();
    await password.fill(EDITOR.firstPassword);
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('rowheader', { name: EDITOR.name }).waitFor();
    expect(await userByEmail(EDITOR.email)).toMatchObject({ name: EDITOR.name, role: 'viewer', disabled: false });

    await chooseRole(page, `Role of ${EDITOR.email}`, 'Editor');
    await expect.poll(async () => (await userByEmail(EDITOR.email))?.role, WAIT).toBe('editor');

    // Ed lost the first password: Ann sets another (the editor signs in with it below).
    await page.getByRole('button', { name: `Set a password for ${EDITOR.email}` }).click();
    const dialog = page.getByRole('dialog', { name: `Set a password for ${EDITOR.name}` });
    await dialog.getByLabel('New password').fill(EDITOR.email);
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await dialog.getByText('Choose a password that is not the email address').waitFor();
    await dialog.getByLabel('New password').fill(EDITOR.password);
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => dialog.count(), WAIT).toBe(0);

    // Ann is the only owner: the API refuses, and the screen says why.
    await chooseRole(page, `Role of ${OWNER.email}`, 'Admin');
    const refusal = page.getByRole('alert').filter({ hasText: 'last enabled owner' });
    await expect.poll(() => refusal.count(), WAIT).toBe(1);
    expect((await userByEmail(OWNER.email))?.role).toBe('owner');
    await refusal.evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await s.snap('settings-users');
  }, 30_000);

  it('shows an editor no admin screens, which the API refuses too, and lets them change their password', async () => {
    const context = await s.browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: s.stack.base });
    try {
      const editor = await context.newPage();
      await signIn(editor, EDITOR.email, EDITOR.password);
      await editor.goto('/settings');
      await editor.getByText('Only admins and owners change these settings; your role is editor.').waitFor();
      expect(await editor.getByLabel('Soft bounces').inputValue()).toBe('5');
      expect(await editor.getByLabel('Soft bounces').isEditable()).toBe(false);
      expect(await editor.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
      expect(await editor.getByText('Signing keys').count()).toBe(0);
      const tabs = editor.getByRole('navigation', { name: 'Settings pages' });
      expect(await tabs.getByRole('link').allTextContents()).toEqual(['General', 'Your account']);

      await editor.goto('/settings/users');
      await editor.getByRole('alert').filter({ hasText: 'Managing users is for admins and owners; your role is editor.' }).waitFor();
      await editor.goto('/settings/api-keys');
      await editor.getByRole('alert').filter({ hasText: 'Managing API keys is for admins and owners' }).waitFor();
      expect((await editor.request.get('/api/users')).status()).toBe(403);
      expect((await editor.request.get('/api/api-keys')).status()).toBe(403);

      await editor.getByRole('link', { name: 'Your account' }).click();
      await editor.getByText('Editor: also writes lists, subscribers and campaigns.').waitFor();
      // Each password check costs a real scrypt hash, so only the right one goes to the server.
      await editor.getByLabel('Current password').fill(EDITOR.password);
      await editor.getByLabel('New password', { exact: true }).fill('a brand new editor password');
      await editor.getByLabel('New password again').fill('a brand new editor passwort');
      await editor.getByRole('button', { name: 'Change password' }).click();
      await editor.getByText('Type the same new password again').waitFor();
      await editor.getByLabel('New password again').fill('a brand new editor password');
      await editor.getByRole('button', { name: 'Change password' }).click();
      await editor.getByText('Password changed.').waitFor();

      // Disabled by the owner: the editor's next request ends their session.
      await page.getByRole('button', { name: `Disable ${EDITOR.email}` }).click();
      await expect.poll(async () => (await userByEmail(EDITOR.email))?.disabled, WAIT).toBe(true);
      await editor.reload();
      await editor.getByRole('heading', { name: 'Sign in to Edgepost' }).waitFor();
    } finally {
      await context.close();
    }

    await page.getByRole('button', { name: `Enable ${EDITOR.email}` }).click();
    await expect.poll(async () => (await userByEmail(EDITOR.email))?.disabled, WAIT).toBe(false);
    await page.getByRole('button', { name: `Delete ${EDITOR.email}` }).click();
    const dialog = page.getByRole('alertdialog', { name: `Delete ${EDITOR.name}?` });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByRole('rowheader', { name: EDITOR.name }).count(), WAIT).toBe(0);
    expect(await userByEmail(EDITOR.email)).toBeUndefined();
  }, 45_000);

  it('creates an API key shown once, which works until it is revoked', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Website');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('it is shown only this once').waitFor();
    const key = await page.getByLabel('The new API key').inputValue();
    expect(key).toMatch(/^ep_/);
    await page.getByRole('button', { name: 'Copy key' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await s.snap('settings-api-keys');

    const lists = await fetch(`${s.stack.base}/api/lists`, { headers: { authorization: `Bearer ${key}` } });
    expect(lists.status).toBe(200);
    await page.getByRole('button', { name: 'I have saved the key' }).click();
    await page.getByRole('button', { name: 'Create key' }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Website' }) });
    await expect.poll(async () => (await s.stack.api<{ data: { name: string; lastUsedAt: string | null }[] }>('GET', '/api-keys')).data.find((k) => k.name === 'Website')?.lastUsedAt, WAIT).not.toBeNull();

    await row.getByRole('cell', { name: OWNER.name }).waitFor(); // who created it

    // Cancel closes the dialog and changes nothing.
    await row.getByRole('button', { name: 'Rename Website' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await row.getByRole('button', { name: 'Rename Website' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill(' ');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await dialog.getByText('Give the key a name').waitFor();
    await dialog.getByLabel('Name', { exact: true }).fill('Website form');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await dialog.waitFor({ state: 'detached' });
    const renamed = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Website form' }) });
    expect((await s.stack.api<{ data: { name: string }[] }>('GET', '/api-keys')).data.map((k) => k.name)).toContain('Website form');

    await renamed.getByRole('button', { name: 'Revoke Website form' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke' }).click();
    await renamed.getByText(/^Revoked /).waitFor();
    const refused = await fetch(`${s.stack.base}/api/lists`, { headers: { authorization: `Bearer ${key}` } });
    expect(refused.status).toBe(401);
  }, 30_000);

  async function userByEmail(email: string) {
    const page = await s.stack.api<{ data: { email: string; name: string; role: string; disabled: boolean }[] }>('GET', '/users?limit=100');
    return page.data.find((u) => u.email === email);
  }
});

/** Opens the role drop-down labelled `label` and picks `role`. */
async function chooseRole(page: Page, label: string, role: string) {
  // React Aria names the trigger by its value, then its label ("Viewer Role").
  const name = new RegExp(`${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  await page.getByRole('button', { name }).click();
  await page.getByRole('option', { name: role, exact: true }).click();
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
