// The Subscribers section: its screens and their routes under /subscribers.
import { Route, Routes } from 'react-router';
import { ComingSoonPage } from '../coming-soon-page';
import { NotFoundPage } from '../not-found-page';

export function SubscribersSection() {
  return (
    <Routes>
      <Route index element={<ComingSoonPage title="Subscribers" />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
