// The Suppressions section: its screens and their routes under /suppressions.
import { Route, Routes } from 'react-router';
import { ComingSoonPage } from '../coming-soon-page';
import { NotFoundPage } from '../not-found-page';

export function SuppressionsSection() {
  return (
    <Routes>
      <Route index element={<ComingSoonPage title="Suppressions" />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
