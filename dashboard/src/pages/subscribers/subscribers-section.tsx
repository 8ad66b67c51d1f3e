// The Subscribers section: browse and filter, add, one subscriber's page, and CSV import
// (the mapping step, then the job's progress and report). The screens other than the list
// load on first use, so the rest of the dashboard does not download them.
import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../not-found-page';
import { SubscribersListPage } from './subscribers-list-page';
import './subscribers.css';

const NewSubscriberPage = lazy(() => import('./new-subscriber-page').then((m) => ({ default: m.NewSubscriberPage })));
const SubscriberPage = lazy(() => import('./subscriber-page').then((m) => ({ default: m.SubscriberPage })));
const ImportPage = lazy(() => import('./import-page').then((m) => ({ default: m.ImportPage })));
const ImportJobPage = lazy(() => import('./import-job-page').then((m) => ({ default: m.ImportJobPage })));

export function SubscribersSection() {
  return (
    // The class scopes subscribers.css to these screens.
    <div className="subscribers-section">
      <Suspense fallback={<p role="status">Loading…</p>}>
        <Routes>
          <Route index element={<SubscribersListPage />} />
          <Route path="new" element={<NewSubscriberPage />} />
          <Route path="import" element={<ImportPage />} />
          <Route path="imports/:id" element={<ImportJobPage />} />
          <Route path=":id" element={<SubscriberPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </div>
  );
}
