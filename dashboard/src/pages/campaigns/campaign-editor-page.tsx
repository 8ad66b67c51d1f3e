// Placeholder until this screen is built.
import { ComingSoonPage } from '../coming-soon-page';

export function CampaignEditorPage() {
  return <ComingSoonPage title="New campaign" />;
}
