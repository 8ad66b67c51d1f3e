// The test-send form's rules, the API's (edge/routes/campaign-tests.ts: 1 to 10 addresses,
// each an email address, none twice), checked as the user types into one box.
import { z } from 'zod';

export const MAX_TEST_ADDRESSES = 10;
const address = z.string().max(254).pipe(z.email());

/** The addresses typed, split on commas, semicolons, spaces and new lines, lower-cased as the API keeps them. */
export function parseAddresses(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean);
}

export const testSendSchema = z.object({
  addresses: z.string().superRefine((text, ctx) => {
    const list = parseAddresses(text);
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (list.length === 0) return fail('Enter at least one address');
    if (list.length > MAX_TEST_ADDRESSES) return fail(`Use at most ${MAX_TEST_ADDRESSES} addresses (there are ${list.length})`);
    const wrong = list.find((item) => !address.safeParse(item).success);
    if (wrong) return fail(`“${wrong}” is not an address like name@example.com`);
    const twice = list.find((item, i) => list.indexOf(item) !== i);
    if (twice) fail(`“${twice}” is listed twice`);
  }),
});
export type TestSendValues = z.infer<typeof testSendSchema>;
