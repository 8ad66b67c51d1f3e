// The Webhooks section: outgoing endpoints (the list, one endpoint with its deliveries) and,
// on a second tab, the relay webhook sources that feed bounces and complaints back in.
import { lazy, Suspense } from 'react';
import { Tab, TabList, Tabs } from 'react-aria-components';
import { Route, Routes, useLocation } from 'react-router';
import { NotFoundPage } from '../not-found-page';
import './webhooks.css';

const EndpointsPage = lazy(() => import('./endpoints-page').then((m) => ({ default: m.EndpointsPage })));
const EndpointPage = lazy(() => import('./endpoint-page').then((m) => ({ default: m.EndpointPage })));
const RelaySourcesPage = lazy(() => import('./relay-sources-page').then((m) => ({ default: m.RelaySourcesPage })));

export function WebhooksSection() {
  const { pathname } = useLocation();
  const tab = pathname.startsWith('/webhooks/relays') ? 'relays' : 'endpoints';
  const onEndpointPage = pathname.startsWith('/webhooks/endpoints/');
  return (
    <section aria-labelledby={onEndpointPage ? 'page-title' : 'section-title'}>
      {!onEndpointPage && (
        <>
          <h1 id="section-title">Webhooks</h1>
          {/* Each tab is a link, so the browser's back button and bookmarks work. */}
          <Tabs selectedKey={tab} className="section-tabs">
            <TabList aria-label="Webhooks">
              <Tab id="endpoints" href="/webhooks">
                Outgoing endpoints
              </Tab>
              <Tab id="relays" href="/webhooks/relays">
                Relay webhook sources
              </Tab>
            </TabList>
          </Tabs>
        </>
      )}
      <Suspense fallback={<p role="status">Loading…</p>}>
        <Routes>
          <Route index element={<EndpointsPage />} />
          <Route path="endpoints/:id" element={<EndpointPage />} />
          <Route path="relays" element={<RelaySourcesPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </section>
  );
}
