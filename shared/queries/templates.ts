// Saved templates: a body in one format, with an optional subject and preheader, that a
// new campaign can start from. Nothing refers to a template, so deleting one is safe.
import { eq, gt } from 'drizzle-orm';
import type { Database } from '../db/database';
import { templates } from '../db/schema';
import { toPage, type Page } from './page';

export type TemplateRow = typeof templates.$inferSelect;

export interface TemplateContent {
  name: string;
  format: TemplateRow['format'];
  subject: string;
  preheader: string;
  body: string;
}

/** A template without its body (bodies can be megabytes each). */
export type TemplateSummary = Omit<TemplateRow, 'body'>;

export async function createTemplate(db: Database, content: TemplateContent): Promise<TemplateRow> {
  const [row] = await db.insert(templates).values(content).returning();
  return row!;
}

export async function getTemplate(db: Database, id: number): Promise<TemplateRow | null> {
  const [row] = await db.select().from(templates).where(eq(templates.id, id));
  return row ?? null;
}

/** One page of templates in id order, without their bodies. */
export async function listTemplates(db: Database, page: { cursor?: number; limit: number }): Promise<Page<TemplateSummary>> {
  const rows = await db
    .select({
      id: templates.id,
      name: templates.name,
      format: templates.format,
      subject: templates.subject,
      preheader: templates.preheader,
      createdAt: templates.createdAt,
      updatedAt: templates.updatedAt,
    })
    .from(templates)
    .where(page.cursor ? gt(templates.id, page.cursor) : undefined)
    .orderBy(templates.id)
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/** Changes the given fields; null when there is no such template. */
export async function updateTemplate(db: Database, id: number, content: Partial<TemplateContent>): Promise<TemplateRow | null> {
  const [row] = await db
    .update(templates)
    .set({ ...content, updatedAt: Date.now() })
    .where(eq(templates.id, id))
    .returning();
  return row ?? null;
}

/** False when there was no such template. */
export async function deleteTemplate(db: Database, id: number): Promise<boolean> {
  const deleted = await db.delete(templates).where(eq(templates.id, id)).returning({ id: templates.id });
  return deleted.length > 0;
}
