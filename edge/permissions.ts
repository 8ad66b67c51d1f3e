// Who may call what: the one table of permissions, checked by one middleware (edge/auth.ts)
// for every request under /api. A rule names a path prefix and the least role that may
// read (GET, HEAD) and write (anything else) there; the longest matching prefix wins.
// A path no rule names is for admins and owners only, so a new route stays closed to
// editors and viewers until someone decides otherwise here.
import type { UserRole } from '../shared/db/schema';

/**
 * `public`: no credentials; `session`: a signed-in dashboard user of any role (not an API
 * key: the route is about the user themselves); a role: that role or a higher one.
 */
export type Access = 'public' | 'session' | UserRole;

export interface PermissionRule {
  prefix: string;
  read: Access;
  write: Access;
  /** Per-method exceptions to read/write. */
  methods?: Partial<Record<string, Access>>;
}

/** Roles from least to most: each may do what the ones before it may. */
export const roleOrder: readonly UserRole[] = ['viewer', 'editor', 'admin', 'owner'];

/** What an API key acts as. */
export const API_KEY_ROLE: UserRole = 'admin';

export const permissionRules: readonly PermissionRule[] = [
  // First run and signing in.
  { prefix: '/api/setup', read: 'public', write: 'public' },
  { prefix: '/api/session', read: 'session', write: 'session', methods: { POST: 'public' } },
  { prefix: '/api/users/me/password', read: 'session', write: 'session' },
  // Editors: the marketing work.
  { prefix: '/api/lists', read: 'viewer', write: 'editor' },
  { prefix: '/api/subscribers', read: 'viewer', write: 'editor' },
  { prefix: '/api/campaigns', read: 'viewer', write: 'editor' },
  { prefix: '/api/templates', read: 'viewer', write: 'editor' },
  { prefix: '/api/captured-messages', read: 'viewer', write: 'editor' },
  { prefix: '/api/messages', read: 'viewer', write: 'editor' },
  // Admins: where mail goes out and comes back, and who gets in. Everyone may look
  // (secrets are never returned), so an editor can pick a sending server.
  { prefix: '/api/sending-servers', read: 'viewer', write: 'admin' },
  { prefix: '/api/relay-webhooks', read: 'viewer', write: 'admin' },
  { prefix: '/api/webhook-endpoints', read: 'viewer', write: 'admin' },
  { prefix: '/api/webhook-deliveries', read: 'viewer', write: 'admin' },
  { prefix: '/api/suppressions', read: 'viewer', write: 'admin' },
  { prefix: '/api/settings', read: 'viewer', write: 'admin' },
  { prefix: '/api/users', read: 'admin', write: 'admin' },
  { prefix: '/api/api-keys', read: 'admin', write: 'admin' },
];

const UNLISTED: PermissionRule = { prefix: '', read: 'admin', write: 'admin' };
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The access a request needs, from the rule with the longest prefix that matches its path. */
export function requiredAccess(method: string, path: string, rules: readonly PermissionRule[] = permissionRules): Access {
  let best = UNLISTED;
  for (const rule of rules) {
    const matches = path === rule.prefix || path.startsWith(`${rule.prefix}/`);
    if (matches && rule.prefix.length > best.prefix.length) best = rule;
  }
  const upper = method.toUpperCase();
  return best.methods?.[upper] ?? (READS.has(upper) ? best.read : best.write);
}

/** What the table needs to know of a caller: a dashboard session or an API key (which acts as API_KEY_ROLE), and the role. */
export interface CallerRole {
  kind: 'session' | 'apiKey';
  role: UserRole;
}

/** True when `caller` (null: no credentials) has `access`. */
export function isAllowed(access: Access, caller: CallerRole | null): boolean {
  if (access === 'public') return true;
  if (!caller) return false;
  if (access === 'session') return caller.kind === 'session';
  return roleOrder.indexOf(caller.role) >= roleOrder.indexOf(access);
}

/** True when a user of role `actor` may give or take away role `target` (only owners touch owners). */
export function mayManageRole(actor: UserRole, target: UserRole): boolean {
  return target !== 'owner' || actor === 'owner';
}
