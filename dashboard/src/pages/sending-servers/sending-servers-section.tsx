// The Sending servers section: its screens and their routes under /sending-servers.
import { Route, Routes } from 'react-router';
import { ComingSoonPage } from '../coming-soon-page';
import { NotFoundPage } from '../not-found-page';

export function SendingServersSection() {
  return (
    <Routes>
      <Route index element={<ComingSoonPage title="Sending servers" />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
