// The signed-in frame: skip link, navigation, who is signed in, sign-out, and the page.
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { NavLink, Outlet } from 'react-router';
import { errorMessage } from '../api/api-error';
import { useSession } from '../api/session';
import { FormAlert } from './form-alert';

/** The sections of the dashboard, in navigation order. */
export const SECTIONS = [
  { path: '/campaigns', label: 'Campaigns' },
  { path: '/lists', label: 'Lists' },
  { path: '/subscribers', label: 'Subscribers' },
  { path: '/sending-servers', label: 'Sending servers' },
  { path: '/webhooks', label: 'Webhooks' },
  { path: '/suppressions', label: 'Suppressions' },
  { path: '/settings', label: 'Settings' },
  { path: '/captured-mail', label: 'Captured mail' },
] as const;

export function AppShell() {
  const { api, state, signedOut } = useSession();
  const [error, setError] = useState<string | null>(null);
  const user = state.status === 'signed-in' ? state.session.user : null;

  async function signOut() {
    setError(null);
    try {
      const { error: body, response } = await api.DELETE('/api/session');
      // 401: the session had already ended, which is what the user wanted.
      if (response.ok || response.status === 401) signedOut();
      else setError(errorMessage(body, response));
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Edgepost</span>
        <div className="topbar-user">
          {user && <span>{user.name || user.email}</span>}
          <Button className="button secondary" onPress={signOut}>
            Sign out
          </Button>
        </div>
      </header>
      <nav className="sidebar" aria-label="Sections">
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.path}>
              <NavLink to={section.path}>{section.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <FormAlert message={error} />
        <Outlet />
      </main>
    </div>
  );
}
