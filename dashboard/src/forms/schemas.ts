// The rules the API checks (edge/routes/user-schemas.ts, lists.ts), checked again as the
// user types so most mistakes show before a round trip. The API stays the judge: its 400
// details land on the same fields.
import { z } from 'zod';

// shared/passwords.ts: MIN_PASSWORD_LENGTH (not imported: it would bring scrypt along).
const MIN_PASSWORD_LENGTH = 12;

const email = z.string().trim().min(1, 'Enter your email address').email('Enter an address like name@example.com');

export const signInSchema = z.object({
  email,
  password: z.string().min(1, 'Enter your password'),
});
export type SignInValues = z.infer<typeof signInSchema>;

export const setupSchema = z
  .object({
    name: z.string().trim().max(200, 'Use at most 200 characters'),
    email,
    password: z.string().min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`).max(1000, 'Use at most 1000 characters'),
  })
  .refine((v) => v.password.trim().toLowerCase() !== v.email.trim().toLowerCase(), {
    path: ['password'],
    message: 'Choose a password that is not your email address',
  });
export type SetupValues = z.infer<typeof setupSchema>;

export const listSchema = z.object({
  name: z.string().trim().min(1, 'Give the list a name').max(200, 'Use at most 200 characters'),
  optin: z.enum(['single', 'double']),
});
export type ListValues = z.infer<typeof listSchema>;
