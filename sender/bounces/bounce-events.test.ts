import { describe, expect, it } from 'vitest';
import { bounceEvents } from './bounce-events';
import type { BounceReport, RecipientReport } from './bounce-report';

const AT = Date.UTC(2025, 3, 1);

function report(recipients: RecipientReport[], extra: Partial<BounceReport> = {}): BounceReport {
  return { format: 'dsn', recipients, ...extra };
}

const unknownUser: RecipientReport = {
  address: 'Ann@Example.com',
  verdict: 'hard',
  status: '5.1.1',
  smtpCode: '550',
  reason: 'unknown user',
  diagnostic: 'smtp; 550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown',
};

describe('bounceEvents', () => {
  it('turns a hard bounce into one keyed bounce event about our message', () => {
    expect(bounceEvents(report([unknownUser]), { messageId: 42 }, AT)).toEqual([
      {
        source: 'bounce-inbox',
        key: 'bounce-inbox:42:ann@example.com:hard',
        type: 'bounce',
        bounceClass: 'hard',
        messageId: 42,
        recipient: 'ann@example.com',
        occurredAt: AT,
        status: '5.1.1',
        diagnostic: unknownUser.diagnostic,
        detail: { format: 'dsn', reason: 'unknown user', smtpCode: '550' },
      },
    ]);
  });

  it('maps each verdict to its event type and drops not-bounce entries', () => {
    const events = bounceEvents(
      report(
        [
          { address: 'a@example.com', verdict: 'soft', status: '4.2.2', reason: 'mailbox full' },
          { address: 'b@example.com', verdict: 'complaint', reason: 'abuse complaint' },
          { address: 'c@example.com', verdict: 'unsubscribe', reason: 'opt-out' },
          { address: 'd@example.com', verdict: 'not-bounce', reason: 'auto-reply' },
        ],
        { format: 'arf', feedbackType: 'abuse' },
      ),
      { messageId: 7 },
      AT,
    );
    expect(events.map((e) => [e.key, e.type, e.bounceClass])).toEqual([
      ['bounce-inbox:7:a@example.com:soft', 'bounce', 'soft'],
      ['bounce-inbox:7:b@example.com:complaint', 'complaint', undefined],
      ['bounce-inbox:7:c@example.com:unsubscribe', 'unsubscribe', undefined],
    ]);
    expect(events[1]!.detail).toEqual({ format: 'arf', reason: 'abuse complaint', feedbackType: 'abuse' });
  });

  it('gives the same keys for the same report, whenever it arrives, and folds repeated entries', () => {
    const twice = report([unknownUser, { ...unknownUser, address: 'ann@example.com ' }]);
    const first = bounceEvents(twice, { messageId: 42 }, AT);
    const again = bounceEvents(twice, { messageId: 42 }, AT + 3_600_000);
    expect(first).toHaveLength(1);
    expect(again.map((e) => e.key)).toEqual(first.map((e) => e.key));
  });

  it('keeps a report without a recipient address, for the message named by VERP', () => {
    const [event] = bounceEvents(report([{ ...unknownUser, address: '' }]), { messageId: 9 }, AT);
    expect(event).toMatchObject({ key: 'bounce-inbox:9::hard', recipient: '', messageId: 9 });
  });

  it('keeps only entries about the expected address when the message id is a claim', () => {
    const mixed = report([unknownUser, { ...unknownUser, address: 'someone-else@example.org' }, { ...unknownUser, address: '' }]);
    expect(bounceEvents(mixed, { messageId: 42, onlyRecipient: 'ANN@example.com' }, AT).map((e) => e.recipient)).toEqual(['ann@example.com']);
    expect(bounceEvents(mixed, { messageId: 42, onlyRecipient: 'bob@example.com' }, AT)).toEqual([]);
  });

  it('trims a long diagnostic', () => {
    const [event] = bounceEvents(report([{ ...unknownUser, diagnostic: 'x'.repeat(5000) }]), { messageId: 1 }, AT);
    expect(event!.diagnostic).toHaveLength(1000);
  });
});
