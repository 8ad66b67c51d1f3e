import { describe, expect, it } from 'vitest';
import { createFailureRateGuard } from './failure-rate-guard';

describe('failure rate guard', () => {
  it('judges only a full window, and pauses when failures reach the threshold', () => {
    const guard = createFailureRateGuard({ threshold: 0.2, window: 10 });
    for (let i = 0; i < 9; i++) expect(guard.record(1, i < 5 ? '550 5.1.1 unknown user' : null)).toBeNull();
    expect(guard.record(1, null)).toEqual({ rate: 0.5, failed: 5, outcomes: 10, commonReason: '550 5.1.1 unknown user' });
  });

  it('looks at recent outcomes only: old failures slide out of the window', () => {
    const guard = createFailureRateGuard({ threshold: 0.3, window: 10 });
    for (let i = 0; i < 2; i++) guard.record(1, 'old failure');
    for (let i = 0; i < 8; i++) guard.record(1, null);
    for (let i = 0; i < 20; i++) expect(guard.record(1, i % 10 === 0 ? 'rare' : null)).toBeNull();
    for (let i = 0; i < 2; i++) guard.record(1, '554 blocked');
    expect(guard.record(1, '554 blocked')).toMatchObject({ failed: 3, commonReason: '554 blocked' });
  });

  it('keeps campaigns apart and forgets on request', () => {
    const guard = createFailureRateGuard({ threshold: 0.5, window: 4 });
    for (let i = 0; i < 3; i++) guard.record(1, 'bad');
    expect(guard.record(2, 'bad')).toBeNull();
    guard.forget(1);
    for (let i = 0; i < 3; i++) expect(guard.record(1, null)).toBeNull();
  });
});
