// The rules the API checks for this section's forms (shared/settings.ts, shared/passwords.ts,
// edge/routes/users.ts and api-keys.ts), checked again as the user types; the API stays the
// judge and its 400 details land on the same fields.
import { z } from 'zod';
import { ROLES } from './roles';

// shared/passwords.ts (not imported: it would bring scrypt into the bundle).
const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1000;

/** shared/passwords.ts passwordProblem, in the dashboard's words: null when `password` is fine for `email`. */
export function passwordProblem(password: string, email: string): string | null {
  const length = [...password.normalize('NFC')].length;
  if (length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters`;
  if (email.trim() !== '' && password.trim().toLowerCase() === email.trim().toLowerCase()) return 'Choose a password that is not the email address';
  return null;
}

const wholeNumber = (min: number, max: number) => {
  const range = `Enter a whole number from ${min} to ${max}`;
  return z.number({ error: range }).int(range).min(min, range).max(max, range);
};

// The common mistakes with a tracking domain; the API checks the rest (shared/settings.ts).
const trackingDomain = z
  .string()
  .trim()
  .refine((host) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(host), 'Enter the host name only, without https://')
  .refine((host) => !/[/?#@\\]/.test(host), 'Enter the host name only, without a path')
  .refine((host) => !host.includes(':'), 'Enter the host name only, without a port: links use HTTPS on port 443')
  .refine((host) => host === '' || host.includes('.'), 'Enter a full host name, like click.example.com');

export const generalSettingsSchema = z.object({
  softBounceLimit: wholeNumber(1, 100),
  softBounceDays: wholeNumber(1, 365),
  tracking: z.enum(['on', 'anonymous', 'off']),
  /** '' stands for null: links use PUBLIC_URL. */
  trackingDomain,
});
export type GeneralSettingsValues = z.infer<typeof generalSettingsSchema>;

const email = z.string().trim().min(1, 'Enter an email address').email('Enter an address like name@example.com');

export const newUserSchema = z
  .object({
    name: z.string().trim().max(200, 'Use at most 200 characters'),
    email,
    role: z.enum(ROLES),
    password: z.string(),
  })
  .superRefine((value, ctx) => {
    const problem = passwordProblem(value.password, value.email);
    if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
  });
export type NewUserValues = z.infer<typeof newUserSchema>;

export const apiKeySchema = z.object({
  name: z.string().trim().min(1, 'Give the key a name, e.g. what will use it').max(100, 'Use at most 100 characters'),
});
export type ApiKeyValues = z.infer<typeof apiKeySchema>;

/** The password change form for the account `email`. */
export function changePasswordSchema(accountEmail: string) {
  return z
    .object({
      currentPassword: z.string().min(1, 'Enter your current password'),
      newPassword: z.string(),
      confirmPassword: z.string(),
    })
    .superRefine((value, ctx) => {
      const problem = passwordProblem(value.newPassword, accountEmail);
      if (problem) ctx.addIssue({ code: 'custom', path: ['newPassword'], message: problem });
      if (value.confirmPassword !== value.newPassword) ctx.addIssue({ code: 'custom', path: ['confirmPassword'], message: 'Type the same new password again' });
    });
}
export type ChangePasswordValues = z.infer<ReturnType<typeof changePasswordSchema>>;
