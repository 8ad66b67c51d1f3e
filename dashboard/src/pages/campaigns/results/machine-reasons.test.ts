// Machine reasons as the results show them.
import { describe, expect, it } from 'vitest';
import { describeReason, reasonRows } from './machine-reasons';

describe('machine reasons', () => {
  it('words known codes, vendors and unknown codes', () => {
    expect(describeReason('apple-mpp')).toMatch(/^Apple Mail Privacy Protection/);
    expect(describeReason('scanner:mimecast')).toBe('Security scanner (mimecast)');
    expect(describeReason('bot-agent:slackbot')).toBe('Bot or link preview (slackbot)');
    expect(describeReason('relay:sendgrid')).toBe('Machine, as the relay reported (sendgrid)');
    expect(describeReason('something-new')).toBe('something-new');
  });

  it('puts opens and clicks of one reason on one row, most hits first', () => {
    expect(reasonRows({ 'apple-mpp': 5, 'no-agent': 1 }, { 'early-click': 2, 'no-agent': 1 })).toEqual([
      { code: 'apple-mpp', opens: 5, clicks: 0 },
      { code: 'early-click', opens: 0, clicks: 2 },
      { code: 'no-agent', opens: 1, clicks: 1 },
    ]);
  });
});
