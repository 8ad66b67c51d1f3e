// The Campaigns section: the list of campaigns, the editor (new and edit), and one
// campaign's page (test, send, progress, results).
import { Route, Routes } from 'react-router';
import { NotFoundPage } from '../not-found-page';
import { CampaignEditorPage } from './campaign-editor-page';
import { CampaignPage } from './campaign-page';
import { CampaignsListPage } from './campaigns-list-page';

export function CampaignsSection() {
  return (
    <Routes>
      <Route index element={<CampaignsListPage />} />
      <Route path="new" element={<CampaignEditorPage />} />
      <Route path=":id/edit" element={<CampaignEditorPage />} />
      <Route path=":id" element={<CampaignPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
