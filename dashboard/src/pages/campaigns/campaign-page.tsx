// Placeholder until this screen is built.
import { ComingSoonPage } from '../coming-soon-page';

export function CampaignPage() {
  return <ComingSoonPage title="Campaign" />;
}
