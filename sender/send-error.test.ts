import { describe, expect, it } from 'vitest';
import { classifySendError, SendError } from './send-error';

// The SMTP client's errors carry `code`, `responseCode` and `response`; these mirror them.
const smtp = (code: string, responseCode: number, response: string) => Object.assign(new Error(response), { code, responseCode, response });

describe('classifySendError', () => {
  it.each([
    ['a 4xx recipient refusal', smtp('EENVELOPE', 451, '451 4.3.0 Try again later'), 'retry'],
    ['a 5xx recipient refusal', smtp('EENVELOPE', 550, '550 5.1.1 No such user'), 'permanent'],
    ['a 421 that says slow down', smtp('EMESSAGE', 421, '421 4.7.0 Too many messages, slow down'), 'rate_limited'],
    ['refused credentials, even with a 5xx code', smtp('EAUTH', 535, '535 5.7.8 Authentication failed'), 'halt'],
    ['a dropped connection', Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' }), 'retry'],
    ['a timeout', Object.assign(new Error('Timeout'), { code: 'ETIMEDOUT' }), 'retry'],
    ['an unusable server', new SendError('ECONFIG', 'no sending server'), 'halt'],
    ["a relay certificate that does not verify", Object.assign(new Error('self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)'), { code: 'ETLS' }), 'halt'],
    ['STARTTLS refused for now', smtp('ETLS', 454, '454 4.7.0 TLS not available due to temporary reason'), 'retry'],
    ['HTTP 429', new SendError('ERATELIMIT', 'slow down', 429, 'http', 2000), 'rate_limited'],
    ['HTTP 401', new SendError('EAUTH', 'bad key', 401, 'http'), 'halt'],
    ['HTTP 400', new SendError('EMESSAGE', 'bad request', 400, 'http'), 'permanent'],
    ['HTTP 503', new SendError('ECONNECTION', 'unavailable', 503, 'http'), 'retry'],
    ['a template that fails for this recipient', Object.assign(new Error('render limit'), { code: 'INVALID_TEMPLATE' }), 'permanent'],
    ['a message the MIME builder refuses', new TypeError('to: a line break in a header value'), 'permanent'],
    ['anything else', new Error('surprise'), 'retry'],
  ])('%s → %s', (_name, err, outcome) => {
    expect(classifySendError(err).outcome).toBe(outcome);
  });

  it("keeps the relay's own words and its wait", () => {
    expect(classifySendError(smtp('EENVELOPE', 550, '550 5.1.1 No such user'))).toMatchObject({ code: 'EENVELOPE', message: '550 5.1.1 No such user' });
    expect(classifySendError(new SendError('ERATELIMIT', 'slow down', 429, 'http', 2000)).retryAfterMs).toBe(2000);
  });
});
