// The dashboard's routes. React Aria's RouterProvider lets its links and buttons navigate
// through react-router instead of reloading the page.
import { RouterProvider } from 'react-aria-components';
import { Navigate, Route, Routes, useHref, useNavigate } from 'react-router';
import { AppShell, SECTIONS } from './components/app-shell';
import { PublicOnly, RequireSession } from './components/session-gate';
import { CapturedMailPage } from './pages/captured-mail-page';
import { ComingSoonPage } from './pages/coming-soon-page';
import { ListsPage } from './pages/lists-page';
import { NotFoundPage } from './pages/not-found-page';
import { SetupPage } from './pages/setup-page';
import { SignInPage } from './pages/sign-in-page';

const BUILT: Record<string, () => React.JSX.Element> = {
  '/lists': ListsPage,
  '/captured-mail': CapturedMailPage,
};

export function App() {
  const navigate = useNavigate();
  return (
    <RouterProvider navigate={navigate} useHref={useHref}>
      <Routes>
        <Route path="/setup" element={<PublicOnly when="setup"><SetupPage /></PublicOnly>} />
        <Route path="/sign-in" element={<PublicOnly when="signed-out"><SignInPage /></PublicOnly>} />
        <Route element={<RequireSession><AppShell /></RequireSession>}>
          <Route index element={<Navigate to="/lists" replace />} />
          {SECTIONS.map(({ path, label }) => {
            const Page = BUILT[path];
            return <Route key={path} path={path} element={Page ? <Page /> : <ComingSoonPage title={label} />} />;
          })}
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </RouterProvider>
  );
}
