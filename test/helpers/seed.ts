// Rows a sender test needs, written straight to the database: a list of subscribers, a
// sending server and a campaign.
import type { Database } from '../../shared/db/database';
import { eq } from 'drizzle-orm';
import { campaignLists, campaignSendingServers, campaigns, listMembers, lists, sendingServers, subscribers } from '../../shared/db/schema';

export interface SeedOptions {
  subscribers: number;
  /** SMTP port of a sink on 127.0.0.1; omit for the capture driver. */
  smtpPort?: number;
  format?: 'mjml' | 'html' | 'text';
  body?: string;
  subject?: string;
  status?: 'draft' | 'queued';
}

export const defaultMjml = `<mjml><mj-body><mj-section><mj-column>
  <mj-text>Hello {{ subscriber.name | default: "friend" }} from {{ subscriber.attributes.city }}</mj-text>
  <mj-button href="https://shop.example.com/sale?id={{ subscriber.id }}">Shop</mj-button>
  <mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`;

export async function seedCampaign(db: Database, options: SeedOptions) {
  const [list] = await db.insert(lists).values({ name: 'Newsletter' }).returning();
  const people = Array.from({ length: options.subscribers }, (_, i) => ({
    email: `person${i + 1}@example.com`,
    name: `Person ${i + 1}`,
    attributes: { city: `City ${i + 1}` },
  }));
  const inserted = [];
  for (let i = 0; i < people.length; i += 500) {
    inserted.push(...(await db.insert(subscribers).values(people.slice(i, i + 500)).returning({ id: subscribers.id, email: subscribers.email })));
  }
  for (let i = 0; i < inserted.length; i += 500) {
    await db.insert(listMembers).values(inserted.slice(i, i + 500).map((s) => ({ listId: list!.id, subscriberId: s.id })));
  }
  const [server] = await db
    .insert(sendingServers)
    .values(
      options.smtpPort
        ? { name: 'sink', driver: 'smtp', config: { host: '127.0.0.1', port: options.smtpPort, security: 'none', poolSize: 5 }, isDefault: true }
        : { name: 'capture', driver: 'capture', config: {}, isDefault: true },
    )
    .returning();
  const [campaign] = await db
    .insert(campaigns)
    .values({
      name: 'Spring sale',
      subject: options.subject ?? 'Hi {{ subscriber.name }}',
      fromAddress: 'Shop <news@shop.example.com>',
      format: options.format ?? 'mjml',
      body: options.body ?? defaultMjml,
      status: options.status ?? 'queued',
    })
    .returning();
  await db.insert(campaignLists).values({ campaignId: campaign!.id, listId: list!.id });
  return { list: list!, server: server!, campaign: campaign!, subscribers: inserted };
}

/** Adds an SMTP sending server for a sink on 127.0.0.1 (not the default). */
export async function seedSmtpServer(db: Database, name: string, smtpPort: number) {
  const [server] = await db
    .insert(sendingServers)
    .values({ name, driver: 'smtp', config: { host: '127.0.0.1', port: smtpPort, security: 'none', poolSize: 5 } })
    .returning();
  return server!;
}

/** Makes a campaign send through these servers, in this failover order. */
export async function setCampaignServers(db: Database, campaignId: number, servers: { id: number; weight?: number }[]) {
  await db.delete(campaignSendingServers).where(eq(campaignSendingServers.campaignId, campaignId));
  await db
    .insert(campaignSendingServers)
    .values(servers.map((s, position) => ({ campaignId, sendingServerId: s.id, weight: s.weight ?? 1, position })));
}
