// Placeholder until this screen is built.
import { ComingSoonPage } from '../coming-soon-page';

export function CampaignsListPage() {
  return <ComingSoonPage title="Campaigns" />;
}
