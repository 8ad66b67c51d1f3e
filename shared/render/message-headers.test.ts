import { describe, expect, it } from 'vitest';
import { listUnsubscribeHeaders, messageIdHeader } from './message-headers';

describe('messageIdHeader', () => {
  it('names the message, the campaign and the from domain', () => {
    expect(messageIdHeader(42, 7, 'k3y-Id_9', 'shop.example')).toBe('<42.7.k3y-Id_9@shop.example>');
  });
});

describe('listUnsubscribeHeaders', () => {
  it('gives the https and mailto ways out, and RFC 8058 one-click', () => {
    expect(listUnsubscribeHeaders('https://t.example/u/TOKEN', 'bounces@mail.shop.example', 'TOKEN')).toEqual({
      'List-Unsubscribe': '<https://t.example/u/TOKEN>, <mailto:bounces+unsubscribe@mail.shop.example?subject=unsubscribe%20TOKEN>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });
});
