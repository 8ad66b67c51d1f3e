// The dashboard's routes. Each section owns the routes under its path (pages/<section>/);
// React Aria's RouterProvider lets its links and buttons navigate through react-router
// instead of reloading the page.
import { RouterProvider } from 'react-aria-components';
import { Navigate, Route, Routes, useHref, useNavigate } from 'react-router';
import { AppShell, SECTIONS } from './components/app-shell';
import { PublicOnly, RequireSession } from './components/session-gate';
import { CampaignsSection } from './pages/campaigns/campaigns-section';
import { CapturedMailPage } from './pages/captured-mail-page';
import { ListsPage } from './pages/lists-page';
import { NotFoundPage } from './pages/not-found-page';
import { SendingServersSection } from './pages/sending-servers/sending-servers-section';
import { SettingsSection } from './pages/settings/settings-section';
import { SetupPage } from './pages/setup-page';
import { SignInPage } from './pages/sign-in-page';
import { SubscribersSection } from './pages/subscribers/subscribers-section';
import { SuppressionsSection } from './pages/suppressions/suppressions-section';
import { WebhooksSection } from './pages/webhooks/webhooks-section';

const SECTION_SCREENS: Record<(typeof SECTIONS)[number]['path'], () => React.JSX.Element> = {
  '/campaigns': CampaignsSection,
  '/lists': ListsPage,
  '/subscribers': SubscribersSection,
  '/sending-servers': SendingServersSection,
  '/webhooks': WebhooksSection,
  '/suppressions': SuppressionsSection,
  '/settings': SettingsSection,
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
          <Route index element={<Navigate to="/campaigns" replace />} />
          {SECTIONS.map(({ path }) => {
            const Screen = SECTION_SCREENS[path];
            return <Route key={path} path={`${path}/*`} element={<Screen />} />;
          })}
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </RouterProvider>
  );
}
