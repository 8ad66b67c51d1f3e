// Paging through a list the API answers a page at a time with `nextCursor` (cursor paging
// has no page numbers, so the cursors of the pages before this one are kept to go back).
import { useState, type ReactNode } from 'react';
import { Button } from 'react-aria-components';

export interface CursorPages {
  /** The cursor of the page shown (undefined: the first page). */
  cursor: string | undefined;
  /** How many pages come before this one. */
  before: number;
  previous(): void;
  next(cursor: string): void;
}

/** The pages visited for `key` (the filter they belong to): a new key starts again at the first page. */
export function useCursorPages(key: string): CursorPages {
  const [paging, setPaging] = useState<{ key: string; cursors: string[] }>({ key, cursors: [] });
  const cursors = paging.key === key ? paging.cursors : [];
  return {
    cursor: cursors.at(-1),
    before: cursors.length,
    previous: () => setPaging({ key, cursors: cursors.slice(0, -1) }),
    next: (cursor) => setPaging({ key, cursors: [...cursors, cursor] }),
  };
}

interface CursorPagerProps {
  pages: CursorPages;
  /** The API's cursor for the page after this one; none on the last page. */
  nextCursor: string | null | undefined;
  previousLabel?: string;
  nextLabel?: string;
  /** Between the buttons, e.g. which rows are shown. */
  children?: ReactNode;
  small?: boolean;
}

/** "Previous" and "Next" buttons, in a navigation landmark named "Pages". */
export function CursorPager({ pages, nextCursor, previousLabel = 'Previous', nextLabel = 'Next', children, small = false }: CursorPagerProps) {
  const className = small ? 'button secondary small' : 'button secondary';
  return (
    <nav className="pager" aria-label="Pages">
      <Button className={className} isDisabled={pages.before === 0} onPress={pages.previous}>
        {previousLabel}
      </Button>
      {children}
      <Button className={className} isDisabled={!nextCursor} onPress={() => nextCursor && pages.next(nextCursor)}>
        {nextLabel}
      </Button>
    </nav>
  );
}
