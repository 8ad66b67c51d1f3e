// The Settings section: general settings (everyone reads, admins change), users and API
// keys (admins and owners), and your own account. Links to screens a role cannot use are
// not shown, and those screens say so if reached by address; the API refuses regardless.
import type { ReactNode } from 'react';
import { NavLink, Route, Routes } from 'react-router';
import { NotFoundPage } from '../not-found-page';
import { AccountPage } from './account-page';
import { ApiKeysPage } from './api-keys-page';
import { GeneralSettingsPage } from './general-settings-page';
import { roleAtLeast, useSignedInUser } from './roles';
import { UsersPage } from './users-page';
import './settings.css';

export function SettingsSection() {
  const me = useSignedInUser();
  const isAdmin = roleAtLeast(me.role, 'admin');
  return (
    <section aria-labelledby="page-title" className="settings">
      <h1 id="page-title">Settings</h1>
      <nav className="settings-tabs" aria-label="Settings pages">
        <NavLink to="/settings" end>
          General
        </NavLink>
        {isAdmin && <NavLink to="/settings/users">Users</NavLink>}
        {isAdmin && <NavLink to="/settings/api-keys">API keys</NavLink>}
        <NavLink to="/settings/account">Your account</NavLink>
      </nav>
      <Routes>
        <Route index element={<GeneralSettingsPage />} />
        <Route path="users" element={<AdminsOnly what="Managing users"><UsersPage /></AdminsOnly>} />
        <Route path="api-keys" element={<AdminsOnly what="Managing API keys"><ApiKeysPage /></AdminsOnly>} />
        <Route path="account" element={<AccountPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </section>
  );
}

/** The screen for admins and owners; for anyone else, why it is not theirs. */
function AdminsOnly({ what, children }: { what: string; children: ReactNode }) {
  const me = useSignedInUser();
  if (roleAtLeast(me.role, 'admin')) return children;
  return (
    <p className="form-alert" role="alert">
      {what} is for admins and owners; your role is {me.role}. Ask an owner or admin if you need it.
    </p>
  );
}
