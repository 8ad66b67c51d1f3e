// The campaign editor (`/campaigns/new`, `/campaigns/:id/edit`). Its code editor and the
// MJML compiler are megabytes, so the screen loads on first visit, never with sign-in.
import { lazy, Suspense } from 'react';

const CampaignEditor = lazy(() => import('./editor/campaign-editor'));

export function CampaignEditorPage() {
  return (
    <Suspense fallback={<p role="status">Loading the editor…</p>}>
      <CampaignEditor />
    </Suspense>
  );
}
