// The dashboard in headless Chromium (Debian's package, driven by playwright-core) against
// the whole of Edgepost (test/helpers/stack.ts: edge, sender, SMTP sink), with a signed-in
// owner. Screen tests start here; test/dashboard.test.ts walks first-run setup itself.
// EDGEPOST_SCREENSHOTS=1 makes `snap` refresh docs/screenshots/ at 1280×800.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureDashboardBuilt } from '../../dashboard/scripts/ensure-built';
import { hashPassword } from '../../shared/passwords';
import { createFirstOwner } from '../../shared/queries/users';
import { startStack, type Stack } from './stack';

export const CHROMIUM = '/usr/bin/chromium';
/** False where Chromium is not installed: screen tests skip, and say so once. */
export const chromiumInstalled = existsSync(CHROMIUM);
if (!chromiumInstalled) console.warn('dashboard tests: skipped, Chromium is not installed (apt-get install chromium; .ci/run does it)');

const SCREENSHOT_DIR = new URL('../../docs/screenshots/', import.meta.url).pathname;
const screenshots = process.env.EDGEPOST_SCREENSHOTS === '1';

export const OWNER = { name: 'Ann Owner', email: 'ann@example.com', password: 'correct horse battery staple' };

export interface DashboardSession {
  stack: Stack;
  browser: Browser;
  /** Signed in as OWNER, 1280×800, base URL the edge. */
  page: Page;
  /** Saves docs/screenshots/<name>.png when EDGEPOST_SCREENSHOTS=1. */
  snap(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts Edgepost and Chromium, creates the owner and signs the page in. */
export async function startDashboardSession(): Promise<DashboardSession> {
  ensureDashboardBuilt((line) => console.log(line));
  const stack = await startStack();
  // The flags keep Chromium off the network this machine does not have (see its machine notes).
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await createFirstOwner(stack.database.db, { email: OWNER.email, name: OWNER.name, passwordHash: await hashPassword(OWNER.password) });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, baseURL: stack.base });
  // The session cookie lands in the page's context: the app starts signed in.
  const signIn = await page.request.post('/api/session', {
    data: { email: OWNER.email, password: OWNER.password },
    headers: { origin: stack.base },
  });
  if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()} ${await signIn.text()}`);
  if (screenshots) mkdirSync(SCREENSHOT_DIR, { recursive: true });

  return {
    stack,
    browser,
    page,
    async snap(name) {
      if (screenshots) await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png` });
    },
    async close() {
      await browser.close();
      await stack.close();
    },
  };
}
