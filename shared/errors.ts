// The one registry of error codes. API error bodies, send outcomes and logs all use these.
export const errorCodes = {
  // API: what the caller must fix.
  VALIDATION: 'the request body, query or path failed validation',
  UNAUTHORIZED: 'missing or unknown API key',
  FORBIDDEN: 'signed in, but not allowed to do this',
  NOT_FOUND: 'no such resource',
  METHOD_NOT_ALLOWED: 'the resource does not take this method',
  PAYLOAD_TOO_LARGE: 'the request body is over the size limit',
  RATE_LIMITED: 'too many requests; retry after the time given',
  CONFLICT: 'the resource is in a state that does not allow this',
  INVALID_TEMPLATE: 'the campaign body or subject does not compile',
  NO_SENDING_SERVER: 'no sending server to send through',
  UNAVAILABLE: 'a service we depend on is not answering now; retry later',
  INTERNAL: 'an unexpected error on our side',
  // Sending: what the queue should do with a message.
  ECONNECTION: 'could not connect to the relay',
  ETIMEDOUT: 'the relay did not answer in time',
  EAUTH: 'the relay refused our credentials',
  EENVELOPE: 'the relay refused the sender or recipient',
  EMESSAGE: 'the relay refused the message',
  ERATELIMIT: 'the relay asked us to slow down',
  ECONFIG: 'the sending server is misconfigured',
  ETLS: "TLS with the relay failed: its certificate did not verify, or it does not offer the TLS the server's settings require",
} as const;

export type ErrorCode = keyof typeof errorCodes;
