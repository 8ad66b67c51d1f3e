// Who may do what in this section, as the API decides it (edge/permissions.ts): the screens
// hide what the signed-in role cannot do, and the API still refuses it if asked.
import type { components } from '../../api/schema';
import { useSession } from '../../api/session';

export type Role = components['schemas']['User']['role'];

/** Roles from least to most, as edge/permissions.ts orders them. */
export const ROLES = ['viewer', 'editor', 'admin', 'owner'] as const satisfies readonly Role[];

export const ROLE_NAMES: Record<Role, string> = { viewer: 'Viewer', editor: 'Editor', admin: 'Admin', owner: 'Owner' };

/** What each role may do, in the words of the API's description of `role`. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: 'Sees everything, changes nothing',
  editor: 'Also writes lists, subscribers and campaigns',
  admin: 'Also sending servers, webhooks, suppressions, settings, API keys and users (not owners)',
  owner: 'Everything, including other owners',
};

/** True when `role` is `least` or a higher one. */
export function roleAtLeast(role: Role, least: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(least);
}

/** True when `actor` may give or take away `target` (only owners touch owners; edge/permissions.ts mayManageRole). */
export function mayManageRole(actor: Role, target: Role): boolean {
  return target !== 'owner' || actor === 'owner';
}

/** The signed-in user (this section only renders inside RequireSession). */
export function useSignedInUser() {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useSignedInUser() outside a signed-in screen');
  return state.session.user;
}
