// The Campaigns section: its screens and their routes under /campaigns.
import { Route, Routes } from 'react-router';
import { ComingSoonPage } from '../coming-soon-page';
import { NotFoundPage } from '../not-found-page';

export function CampaignsSection() {
  return (
    <Routes>
      <Route index element={<ComingSoonPage title="Campaigns" />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
