// Cursor pages over an id-ordered query: callers fetch `limit + 1` rows, and the extra row,
// never returned, only says whether another page exists.

export interface Page<T> {
  rows: T[];
  /** The last id of this page as text, or null when nothing follows. */
  nextCursor: string | null;
}

/** Cuts `limit + 1` fetched rows down to one page and its cursor. */
export function toPage<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: String(page[page.length - 1]!.id) };
}
