// The third-party fixtures in `../shared/fixtures/` beside the repository (real webhook
// payloads, signature vectors, bounce mails; see their SOURCES.md). They are read in place,
// never copied into the repository; in a clone without them, the tests that need them skip
// and say why.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

export const fixturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'fixtures');

export const fixturesPresent = existsSync(join(fixturesDir, 'SOURCES.md'));

/** The bytes of a fixture, by its path under `shared/fixtures/` (e.g. `webhooks/mailgun-delivered.json`). */
export function readFixture(path: string): Buffer {
  return readFileSync(join(fixturesDir, path));
}

export function readFixtureJson<T = any>(path: string): T {
  return JSON.parse(readFixture(path).toString('utf8')) as T;
}

/** `describe` when the fixtures are present; otherwise a skipped block whose name says where they were looked for. */
export function describeWithFixtures(name: string, body: () => void): void {
  if (fixturesPresent) describe(name, body);
  else describe.skip(`${name} (skipped: third-party fixtures not found at ${fixturesDir}; they sit beside the repository as ../shared/fixtures)`, body);
}
