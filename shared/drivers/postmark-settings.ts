// Postmark's saved settings. Postmark has one API host; marketing mail must go through a
// broadcast message stream (Postmark's terms), so the stream defaults to `broadcast`, the id
// Postmark's own examples use; validateConfig checks it exists and is a Broadcasts stream.
import { z } from 'zod';
import type { DriverSettings } from './driver-config';

export const POSTMARK_API = 'https://api.postmarkapp.com';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An API base URL: https, or http on loopback only (local fakes and test proxies). */
const endpointOverride = z
  .url('endpoint must be a URL, e.g. https://postmark-proxy.internal')
  // zod runs refinements after a failed url check too: only judge what parses.
  .refine((value) => {
    const url = URL.canParse(value) ? new URL(value) : null;
    return !url || url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  }, 'endpoint must use https (http only for 127.0.0.1 or localhost)')
  .refine((value) => !URL.canParse(value) || (!new URL(value).search && !new URL(value).hash), 'endpoint must not have a query or fragment');

export const postmarkSettings = {
  description: 'Postmark API with a broadcast message stream (secrets serverToken; config messageStream, default broadcast).',
  config: z.strictObject({
    /** The message stream id (Postmark: letters, digits, hyphens and underscores). */
    messageStream: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,100}$/, 'messageStream must be a Postmark stream id such as broadcast (letters, digits, - and _)')
      .default('broadcast'),
    endpoint: endpointOverride.optional(),
  }),
  secrets: z.strictObject({
    serverToken: z.string('serverToken is required: the Server API token from the server\'s API Tokens tab').trim().min(1, 'serverToken must not be empty'),
  }),
} satisfies DriverSettings;
