// Schemas the session, setup and users routes share: a user as the API shows it, the
// fields people type, and the answer to a sign-in.
import { z } from '@hono/zod-openapi';
import { userRoles } from '../../shared/db/schema';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem } from '../../shared/passwords';
import type { User } from '../../shared/queries/users';
import { iso, Timestamp } from '../api-schemas';

export const UserName = z.string().trim().max(200, 'name must be at most 200 characters');

export const Role = z.enum(userRoles).openapi({
  description: '`viewer` reads; `editor` also writes lists, subscribers and campaigns; `admin` also sending servers, webhooks, suppressions, settings, API keys and users (not owners); `owner` everything.',
});

export const Password = z
  .string()
  .openapi({ description: `At least ${MIN_PASSWORD_LENGTH} characters, at most ${MAX_PASSWORD_LENGTH}, not the account's email address.`, example: 'correct horse battery staple' });

/** Adds the password rules (which need the email) to an object schema with `email` and `password`. */
export function withPasswordRules<T extends z.ZodType<{ email: string; password: string }>>(schema: T) {
  return schema.superRefine((value, ctx) => {
    const problem = passwordProblem(value.password, value.email);
    if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
  });
}

export const UserSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    name: z.string(),
    role: Role,
    lastSignInAt: Timestamp.nullable(),
    disabled: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('User');

export const SessionSchema = z
  .object({
    user: UserSchema.pick({ id: true, email: true, name: true, role: true }),
    csrfToken: z.string().openapi({ description: 'Send as the `X-CSRF-Token` header on every POST, PUT, PATCH and DELETE made with the session cookie.' }),
    expiresAt: Timestamp.openapi({ description: 'When the session ends at the latest (it also ends after 12 hours without use).' }),
  })
  .openapi('Session');

export function toUserBody(user: User) {
  const { disabledAt, ...rest } = user;
  return { ...rest, disabled: disabledAt !== null, lastSignInAt: iso(user.lastSignInAt), createdAt: iso(user.createdAt), updatedAt: iso(user.updatedAt) };
}
