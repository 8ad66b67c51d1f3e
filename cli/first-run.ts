// What a fresh install needs before its first campaign: a sending server (the local capture
// inbox, so nothing leaves the machine until the marketer adds a real relay) and an API key.
import { count } from 'drizzle-orm';
import type { Database } from '../shared/db/database';
import { apiKeys, sendingServers } from '../shared/db/schema';
import { createApiKey } from '../shared/queries/api-keys';

export interface FirstRun {
  /** The new API key, shown once; null when keys already existed. */
  apiKey: string | null;
  captureServerCreated: boolean;
}

export async function prepareFirstRun(db: Database): Promise<FirstRun> {
  const [[servers], [keys]] = await db.batch([
    db.select({ n: count() }).from(sendingServers),
    db.select({ n: count() }).from(apiKeys),
  ]);
  let captureServerCreated = false;
  if (servers!.n === 0) {
    await db.insert(sendingServers).values({ name: 'Local capture inbox', driver: 'capture', config: {}, isDefault: true });
    captureServerCreated = true;
  }
  const apiKey = keys!.n === 0 ? (await createApiKey(db, 'first key')).key : null;
  return { apiKey, captureServerCreated };
}
