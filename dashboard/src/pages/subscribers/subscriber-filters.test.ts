// The browse screen's filters: read from the URL, written back, and sent to the export.
import { describe, expect, it } from 'vitest';
import { exportHref, filterFromParams, filterToParams, isFiltered } from './subscriber-filters';

describe('subscriber filters', () => {
  it('reads the API names from the URL and writes them back the same', () => {
    const params = new URLSearchParams('search=+ada+&list=3&listStatus=unsubscribed&status=blocklisted&attr.city=Lyon&attr.vip=true');
    const filter = filterFromParams(params);
    expect(filter).toEqual({ search: 'ada', list: 3, listStatus: 'unsubscribed', status: 'blocklisted', attributes: [['city', 'Lyon'], ['vip', 'true']] });
    expect(filterToParams(filter).toString()).toBe('search=ada&list=3&listStatus=unsubscribed&status=blocklisted&attr.city=Lyon&attr.vip=true');
  });

  it('drops what the API would refuse: a bad list, a list status without a list, unknown statuses, empty attributes', () => {
    const filter = filterFromParams(new URLSearchParams('list=abc&listStatus=subscribed&status=gone&attr.=x&attr.city=&search=%20'));
    expect(filter).toEqual({ attributes: [] });
    expect(isFiltered(filter)).toBe(false);
  });

  it('exports what the filter selects, or everyone', () => {
    expect(exportHref({ list: 2, attributes: [['city', 'Saint-Étienne']] })).toBe('/api/subscribers/export?list=2&attr.city=Saint-%C3%89tienne');
    expect(exportHref({ attributes: [] })).toBe('/api/subscribers/export');
  });
});
