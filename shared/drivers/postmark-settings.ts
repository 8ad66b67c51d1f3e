// Postmark's saved settings. Postmark has one API host; marketing mail must go through a
// broadcast message stream (Postmark's terms), so the stream defaults to `broadcast`, the id
// Postmark's own examples use; validateConfig checks it exists and is a Broadcasts stream.
import { z } from 'zod';
import type { DriverSettings } from './driver-config';
import { endpointOverride } from './endpoint-override';

export const POSTMARK_API = 'https://api.postmarkapp.com';

export const postmarkSettings = {
  description: 'Postmark API with a broadcast message stream (secrets serverToken; config messageStream, default broadcast).',
  config: z.strictObject({
    /** The message stream id (Postmark: letters, digits, hyphens and underscores). */
    messageStream: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,100}$/, 'messageStream must be a Postmark stream id such as broadcast (letters, digits, - and _)')
      .default('broadcast'),
    endpoint: endpointOverride('https://postmark-proxy.internal').optional(),
  }),
  secrets: z.strictObject({
    serverToken: z.string('serverToken is required: the Server API token from the server\'s API Tokens tab').trim().min(1, 'serverToken must not be empty'),
  }),
} satisfies DriverSettings;
