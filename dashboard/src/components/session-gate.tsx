// Route guards: first run goes to /setup, a signed-out user to /sign-in (remembering where
// they were, so they come back to the same form and its draft), a signed-in one past both.
import type { ReactNode } from 'react';
import { Navigate, useLocation, useSearchParams } from 'react-router';
import { useSession } from '../api/session';

/** Renders the signed-in app, or sends the user where they must go first. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <p className="centered" role="status">Loading…</p>;
  if (state.status === 'error') return <p className="centered form-alert" role="alert">{state.message}</p>;
  if (state.status === 'setup') return <Navigate to="/setup" replace />;
  if (state.status === 'signed-out') {
    // A lapsed session or a bookmarked page returns to the same page; signing out starts over.
    const next = location.pathname + location.search;
    return <Navigate to={state.keepPlace ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in'} replace />;
  }
  return children;
}

/** Renders sign-in or setup only for the state it belongs to. */
export function PublicOnly({ when, children }: { when: 'setup' | 'signed-out'; children: ReactNode }) {
  const { state } = useSession();
  const next = useNextPath();
  if (state.status === 'loading') return <p className="centered" role="status">Loading…</p>;
  if (state.status === when || state.status === 'error') return children;
  if (state.status === 'signed-in') return <Navigate to={next} replace />;
  return <Navigate to={state.status === 'setup' ? '/setup' : '/sign-in'} replace />;
}

/** Where to go after signing in: the `next` parameter when it is a path of this app. */
export function useNextPath(): string {
  const [params] = useSearchParams();
  const next = params.get('next');
  return next && isAppPath(next) ? next : '/lists';
}

/**
 * Only same-app paths: "//host", "https://...", and the forms browsers read as another host
 * ("/\host", "/<tab>/host": a backslash is a slash to them, and tabs and newlines are
 * dropped) would make sign-in an open redirect.
 */
export function isAppPath(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !/[\\\u0000-\u001f\u007f]/.test(path);
}
