// The Webhooks section: its screens and their routes under /webhooks.
import { Route, Routes } from 'react-router';
import { ComingSoonPage } from '../coming-soon-page';
import { NotFoundPage } from '../not-found-page';

export function WebhooksSection() {
  return (
    <Routes>
      <Route index element={<ComingSoonPage title="Webhooks" />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
