// Who is using the dashboard: loading, first run (no owner yet), signed out, or signed in.
// The API client reports a 401 here, which turns the state to signed out; the route guard
// (components/session-gate.tsx) then sends the user to sign-in, and forms keep their drafts.
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createApiClient, type ApiClient, type Session } from './client';

export type SessionState =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'setup' }
  /** `keepPlace`: sign-in leads back to the page the user was on (not after they signed out themselves). */
  | { status: 'signed-out'; keepPlace: boolean }
  | { status: 'signed-in'; session: Session };

interface SessionContextValue {
  api: ApiClient;
  state: SessionState;
  /** Records a session that POST /api/setup or POST /api/session returned. */
  signedIn(session: Session): void;
  /** Marks the session as ended: by the user (DELETE /api/session), or lapsed (a 401: `keepPlace`). */
  signedOut(keepPlace?: boolean): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** Creates the API client and provides it, with the session state, to the app. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  // The client outlives renders; its 401 hook reaches the latest signedOut through the ref.
  const onUnauthorized = useRef(() => {});
  const [api] = useState(() => createApiClient({ onUnauthorized: () => onUnauthorized.current() }));

  const signedIn = useCallback(
    (session: Session) => {
      api.setCsrfToken(session.csrfToken);
      setState({ status: 'signed-in', session });
    },
    [api],
  );
  const queryClient = useQueryClient();
  const signedOut = useCallback((keepPlace = false) => {
    api.setCsrfToken(null);
    // The next user must not see the last one's data.
    queryClient.clear();
    setState((current) => (current.status === 'setup' ? current : { status: 'signed-out', keepPlace }));
  }, [api, queryClient]);
  useEffect(() => {
    onUnauthorized.current = () => signedOut(true);
  }, [signedOut]);

  useEffect(() => {
    let cancelled = false;
    loadSession(api).then((next) => {
      if (cancelled) return;
      if (next.status === 'signed-in') signedIn(next.session);
      else setState(next);
    });
    return () => {
      cancelled = true;
    };
  }, [api, signedIn]);

  const value = useMemo(() => ({ api, state, signedIn, signedOut }), [api, state, signedIn, signedOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

async function loadSession(api: ApiClient): Promise<SessionState> {
  try {
    const setup = await api.GET('/api/setup');
    if (setup.data?.needed) return { status: 'setup' };
    const { data } = await api.GET('/api/session');
    return data ? { status: 'signed-in', session: data } : { status: 'signed-out', keepPlace: true };
  } catch {
    return { status: 'error', message: 'The Edgepost server could not be reached. Check that it is running, then reload this page.' };
  }
}

/** The API client and the session; only inside SessionProvider. */
export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession() must be called inside <SessionProvider>');
  return value;
}
