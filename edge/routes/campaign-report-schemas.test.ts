import { describe, expect, it } from 'vitest';
import { ActivityQuery, DomainsQuery, MAX_DOMAINS } from './campaign-report-schemas';

describe('campaign report schemas', () => {
  it('takes 1-100 domains, 20 when not said', () => {
    expect(DomainsQuery.parse({})).toEqual({ limit: 20 });
    expect(DomainsQuery.parse({ limit: String(MAX_DOMAINS) })).toEqual({ limit: MAX_DOMAINS });
    for (const limit of ['0', '101', '2.5', 'ten']) expect(DomainsQuery.safeParse({ limit }).success).toBe(false);
  });

  it('turns an activity cursor into its parts, and refuses one it did not make', () => {
    expect(ActivityQuery.parse({ cursor: '1700000000000-m-42', limit: '10' })).toEqual({ cursor: { at: 1700000000000, kind: 'message', id: 42 }, limit: 10 });
    const refused = ActivityQuery.safeParse({ cursor: '42' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('cursor must be the nextCursor of a previous page');
  });
});
