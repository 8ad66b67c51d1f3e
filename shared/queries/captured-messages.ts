// The `capture` driver's local inbox: mail kept instead of sent, newest first.
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/database';
import { capturedMessages } from '../db/schema';
import { toPage, type Page } from './page';

export type CapturedMessageRow = typeof capturedMessages.$inferSelect;
export type CapturedMessageSummary = Omit<CapturedMessageRow, 'raw'> & { size: number };

export interface CapturedMessageFilter {
  cursor?: number;
  limit: number;
  /** Only mail to this address (as the driver stored it). */
  to?: string;
  /** Only the capture of this message (messages.id). */
  messageId?: number;
}

/** One page of captured mail, newest first, without the raw text (its size instead). */
export async function listCapturedMessages(db: Database, filter: CapturedMessageFilter): Promise<Page<CapturedMessageSummary>> {
  const rows = await db
    .select({
      id: capturedMessages.id,
      messageId: capturedMessages.messageId,
      toAddress: capturedMessages.toAddress,
      subject: capturedMessages.subject,
      createdAt: capturedMessages.createdAt,
      size: sql<number>`length(cast(${capturedMessages.raw} as blob))`.mapWith(Number),
    })
    .from(capturedMessages)
    .where(
      and(
        filter.cursor ? lt(capturedMessages.id, filter.cursor) : undefined,
        filter.to ? eq(capturedMessages.toAddress, filter.to) : undefined,
        filter.messageId ? eq(capturedMessages.messageId, filter.messageId) : undefined,
      ),
    )
    .orderBy(desc(capturedMessages.id))
    .limit(filter.limit + 1);
  return toPage(rows, filter.limit);
}

export async function getCapturedMessage(db: Database, id: number): Promise<CapturedMessageRow | null> {
  const [row] = await db.select().from(capturedMessages).where(eq(capturedMessages.id, id));
  return row ?? null;
}
