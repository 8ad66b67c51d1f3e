// The Settings section: its screens and their routes under /settings.
import { Route, Routes } from 'react-router';
import { ComingSoonPage } from '../coming-soon-page';
import { NotFoundPage } from '../not-found-page';

export function SettingsSection() {
  return (
    <Routes>
      <Route index element={<ComingSoonPage title="Settings" />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
