// The Sending servers section: the list, and one server's page (add, edit, validate).
// Lazy: the drivers' schemas load only when a marketer opens this section.
import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../not-found-page';

const SendingServersPage = lazy(() => import('./sending-servers-page').then((m) => ({ default: m.SendingServersPage })));
const SendingServerPage = lazy(() => import('./sending-server-page').then((m) => ({ default: m.SendingServerPage })));

export function SendingServersSection() {
  return (
    <Suspense fallback={<p role="status">Loading…</p>}>
      <Routes>
        <Route index element={<SendingServersPage />} />
        <Route path="new" element={<SendingServerPage />} />
        <Route path=":id" element={<SendingServerPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Suspense>
  );
}
