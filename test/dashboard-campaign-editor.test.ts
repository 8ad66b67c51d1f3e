// The campaign editor in Chromium on the whole stack: MJML with a mistake flagged on its
// line, fixed, the preview following it at desktop and phone widths, a merge tag inserted,
// the draft saved (checked through the API), a template saved and a campaign started from
// it, a session that ends mid-edit without losing the body, and a send time in a time zone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumInstalled, OWNER, startDashboardSession, type DashboardSession } from './helpers/dashboard-browser';

const broken = `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-bogus>oops</mj-bogus>
        <mj-text>First words</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;
const fixed = broken.replace('<mj-bogus>oops</mj-bogus>', '<mj-text>Spring sale starts now</mj-text>');

describe.skipIf(!chromiumInstalled)('campaign editor', () => {
  let s: DashboardSession;
  let listId: number;
  let campaignId: number;

  beforeAll(async () => {
    s = await startDashboardSession();
    listId = (await s.stack.api<{ id: number }>('POST', '/lists', { name: 'Newsletter' })).id;
  }, 120_000);
  afterAll(() => s?.close());

  const editor = () => s.page.locator('.cm-content');
  const preview = () => s.page.frameLocator('iframe.preview-frame');
  async function replaceBody(text: string) {
    await editor().click();
    await s.page.keyboard.press('ControlOrMeta+a');
    await s.page.keyboard.insertText(text);
  }

  it('flags MJML mistakes on their line, previews the fix at both widths, and saves the draft', async () => {
    const { page } = s;
    await page.goto('/campaigns/new');
    await page.getByRole('heading', { name: 'Start from scratch' }).waitFor();
    await page.getByRole('button', { name: 'Blank MJML' }).click();

    await page.getByLabel('Campaign name').fill('Spring sale');
    await page.getByLabel('From', { exact: true }).fill('not an address');
    await page.getByLabel('Subject').fill('Hello {{ subscriber.name }}');
    await page.getByText('Write it as news@acme.example').waitFor();
    await page.getByLabel('From', { exact: true }).fill('Shop News <news@shop.example>');

    await replaceBody(broken);
    const problems = page.getByRole('list', { name: 'Problems in the body' });
    await expect.poll(() => problems.textContent(), { timeout: 15_000 }).toContain('mj-bogus');
    expect(await problems.textContent()).toContain('Line 5');
    // Inline too: the line is marked in the editor and its gutter.
    await expect.poll(() => page.locator('.cm-lintRange-error').count()).toBeGreaterThan(0);
    expect(await page.locator('.cm-lint-marker-error').count()).toBeGreaterThan(0);

    await replaceBody(fixed);
    await preview().getByText('Spring sale starts now').waitFor({ timeout: 15_000 });
    await expect.poll(() => problems.count()).toBe(0);
    // A merge tag goes in at the cursor: here, at the end of line 6's text.
    await editor().getByText('First words').click();
    await page.keyboard.press('End');
    for (let i = 0; i < '</mj-text>'.length; i++) await page.keyboard.press('ArrowLeft');
    await page.getByRole('button', { name: /Insert \{\{ unsubscribe_url \}\}/ }).click();
    await expect.poll(() => editor().textContent()).toContain('First words{{ unsubscribe_url }}</mj-text>');
    // The preview fills it in for the sample subscriber.
    await preview().locator('a[href="#unsubscribe"], :text("#unsubscribe")').first().waitFor({ timeout: 15_000 });
    await page.locator('.body-panel').evaluate((panel) => panel.scrollIntoView());
    await s.snap('campaign-editor');

    const frame = page.locator('iframe.preview-frame');
    expect(await frame.getAttribute('width')).toBe('640');
    await page.getByRole('radio', { name: 'Mobile' }).or(page.getByRole('button', { name: 'Mobile' })).click();
    await expect.poll(() => frame.getAttribute('width')).toBe('375');
    expect(Math.round((await frame.boundingBox())!.width)).toBe(375);
    await preview().getByText('Spring sale starts now').waitFor();
    await s.snap('campaign-editor-mobile');

    await page.locator('label', { hasText: 'Newsletter' }).click();
    // Broken Liquid in the subject only the API's compile finds: its answer goes next to the field.
    await page.getByLabel('Subject').fill('Hello {{ subscriber.name ');
    await page.getByRole('button', { name: 'Save draft' }).first().click();
    await expect.poll(() => page.locator('.field', { has: page.getByLabel('Subject') }).textContent()).toContain('Liquid');
    expect(new URL(page.url()).pathname).toBe('/campaigns/new');
    await page.getByLabel('Subject').fill('Hello {{ subscriber.name }}');
    await page.getByRole('button', { name: 'Save draft' }).first().click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/campaigns\/\d+$/);
    campaignId = Number(new URL(page.url()).pathname.split('/')[2]);
    const saved = await s.stack.api('GET', `/campaigns/${campaignId}`);
    expect(saved).toMatchObject({ name: 'Spring sale', from: 'Shop News <news@shop.example>', subject: 'Hello {{ subscriber.name }}', format: 'mjml', lists: [listId], status: 'draft', sendAt: null, sendingServers: [] });
    expect(saved.body).toContain('Spring sale starts now');
    expect(saved.body).toContain('{{ unsubscribe_url }}');
  }, 60_000);

  it('saves the campaign as a template and starts a new campaign from it', async () => {
    const { page } = s;
    await page.goto(`/campaigns/${campaignId}/edit`);
    await page.getByRole('heading', { name: 'Edit “Spring sale”' }).waitFor();
    await page.getByRole('button', { name: 'Save as template' }).click();
    await page.getByLabel('Template name').fill('Spring template');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByText('Saved as template “Spring template”.').waitFor();
    const templates = await s.stack.api<{ data: { id: number; name: string; subject: string; format: string }[] }>('GET', '/templates');
    expect(templates.data).toEqual([expect.objectContaining({ name: 'Spring template', subject: 'Hello {{ subscriber.name }}', format: 'mjml' })]);
    // Saving the template did not save (or leave) the campaign.
    expect(new URL(page.url()).pathname).toBe(`/campaigns/${campaignId}/edit`);

    await page.goto('/campaigns/new');
    await page.getByRole('rowheader', { name: 'Spring template' }).waitFor();
    await s.snap('campaign-new');
    await page.getByRole('button', { name: 'Use template Spring template' }).click();
    await page.getByRole('heading', { name: 'New campaign from “Spring template”' }).waitFor();
    expect(await page.getByLabel('Subject').inputValue()).toBe('Hello {{ subscriber.name }}');
    expect(await page.getByLabel('Campaign name').inputValue()).toBe('');
    await preview().getByText('Spring sale starts now').waitFor({ timeout: 15_000 });
  }, 60_000);

  it('keeps the body when the session ends mid-edit, and saves it after signing in', async () => {
    const { page } = s;
    await page.getByLabel('Campaign name').fill('Summer sale');
    await page.getByLabel('From', { exact: true }).fill('news@shop.example');
    await replaceBody(fixed.replace('Spring sale starts now', 'Kept across sign-in'));
    await page.context().clearCookies();
    await page.getByRole('button', { name: 'Save draft' }).first().click();

    await page.getByRole('heading', { name: 'Sign in to Edgepost' }).waitFor();
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'New campaign from “Spring template”' }).waitFor();
    await expect.poll(() => editor().textContent()).toContain('Kept across sign-in');
    expect(await page.getByLabel('Campaign name').inputValue()).toBe('Summer sale');

    // Scheduled for 09:30 on Christmas Day 2030 in Tokyo (UTC+9 all year): 00:30 UTC.
    await page.locator('label', { hasText: 'At a date and time' }).click();
    await page.getByRole('spinbutton', { name: /^month/ }).click();
    await page.keyboard.type('12252030');
    await page.getByRole('spinbutton', { name: /^hour/ }).click();
    await page.keyboard.type('0930');
    await page.getByRole('spinbutton', { name: /^AM\/PM/ }).click();
    await page.keyboard.type('A');
    await page.getByRole('combobox', { name: 'Time zone' }).fill('Asia/Tok');
    await page.getByRole('option', { name: 'Asia/Tokyo' }).click();
    expect(await page.getByRole('combobox', { name: 'Time zone' }).inputValue()).toBe('Asia/Tokyo');
    await page.getByRole('button', { name: 'Save draft' }).first().click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/campaigns\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/')[2]);
    expect(id).not.toBe(campaignId);
    const saved = await s.stack.api('GET', `/campaigns/${id}`);
    expect(saved).toMatchObject({ name: 'Summer sale', from: 'news@shop.example', subject: 'Hello {{ subscriber.name }}', sendAt: '2030-12-25T00:30:00.000Z' });
    expect(saved.body).toContain('Kept across sign-in');
  }, 60_000);
});
