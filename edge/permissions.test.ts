import { describe, expect, it } from 'vitest';
import type { UserRole } from '../shared/db/schema';
import { isAllowed, mayManageRole, requiredAccess, type CallerRole } from './permissions';

const session = (role: UserRole): CallerRole => ({ kind: 'session', role });
const apiKey: CallerRole = { kind: 'apiKey', role: 'admin' };

// The matrix the brief sets, written out by hand: [method, path, least role or public/session].
const matrix: [string, string, string][] = [
  ['GET', '/api/setup', 'public'],
  ['POST', '/api/setup', 'public'],
  ['POST', '/api/session', 'public'],
  ['GET', '/api/session', 'session'],
  ['DELETE', '/api/session', 'session'],
  ['POST', '/api/users/me/password', 'session'],
  ['GET', '/api/lists', 'viewer'],
  ['POST', '/api/lists', 'editor'],
  ['PATCH', '/api/subscribers/4', 'editor'],
  ['POST', '/api/subscribers/import', 'editor'],
  ['GET', '/api/campaigns/1/stats', 'viewer'],
  ['POST', '/api/campaigns/1/send', 'editor'],
  ['POST', '/api/campaigns/1/test', 'editor'],
  ['GET', '/api/captured-messages/1/raw', 'viewer'],
  ['GET', '/api/messages/1/events', 'viewer'],
  ['GET', '/api/sending-servers', 'viewer'],
  ['POST', '/api/sending-servers', 'admin'],
  ['POST', '/api/sending-servers/1/validate', 'admin'],
  ['DELETE', '/api/relay-webhooks/1', 'admin'],
  ['POST', '/api/webhook-endpoints/1/rotate-secret', 'admin'],
  ['POST', '/api/webhook-deliveries/1/retry', 'admin'],
  ['POST', '/api/suppressions', 'admin'],
  ['PUT', '/api/settings', 'admin'],
  ['GET', '/api/users', 'admin'],
  ['PATCH', '/api/users/2', 'admin'],
  ['GET', '/api/api-keys', 'admin'],
  ['POST', '/api/api-keys', 'admin'],
  // Not listed: closed to everyone below admin.
  ['GET', '/api/something-new', 'admin'],
  ['GET', '/api/listsx', 'admin'],
];

const roles: UserRole[] = ['viewer', 'editor', 'admin', 'owner'];

describe('permissions', () => {
  it.each(matrix)('%s %s needs %s', (method, path, least) => {
    const access = requiredAccess(method, path);
    expect(access).toBe(least);
    for (const role of roles) {
      const expected = least === 'public' || least === 'session' || roles.indexOf(role) >= roles.indexOf(least as UserRole);
      expect(isAllowed(access, session(role)), role).toBe(expected);
    }
    // An API key acts as an admin, and has no user for the "session" routes.
    expect(isAllowed(access, apiKey)).toBe(least !== 'session' && least !== 'owner');
    expect(isAllowed(access, null)).toBe(least === 'public');
  });

  it('matches whole path segments, with the longest prefix winning', () => {
    expect(requiredAccess('POST', '/api/users/me/password')).toBe('session');
    expect(requiredAccess('POST', '/api/users/me')).toBe('admin');
    expect(requiredAccess('GET', '/api/lists/')).toBe('viewer');
    expect(requiredAccess('HEAD', '/api/lists')).toBe('viewer');
  });

  it('lets only owners give, change or take away the owner role', () => {
    expect(mayManageRole('owner', 'owner')).toBe(true);
    expect(mayManageRole('admin', 'owner')).toBe(false);
    expect(mayManageRole('admin', 'admin')).toBe(true);
    expect(mayManageRole('admin', 'viewer')).toBe(true);
  });
});
