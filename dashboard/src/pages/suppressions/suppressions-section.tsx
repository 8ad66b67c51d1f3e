// The Suppressions section: the list with its search, the form to add addresses, and lifting.
import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../not-found-page';
import { SuppressionsPage } from './suppressions-page';

export function SuppressionsSection() {
  return (
    <Routes>
      <Route index element={<SuppressionsPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
