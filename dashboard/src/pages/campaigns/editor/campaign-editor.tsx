// The campaign editor's screen (`/campaigns/new`, `/campaigns/:id/edit`), loaded lazily
// with its editor and compilers: what to start from, then the form with its content.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-aria-components';
import { useParams, useSearchParams } from 'react-router';
import { dataOf } from '../../../api/api-call';
import { useSession } from '../../../api/session';
import { FormAlert } from '../../../components/form-alert';
import { campaignValues, FORMATS, newCampaignValues, type Format } from './campaign-form';
import { CampaignForm } from './campaign-form-view';
import { NEW_DRAFT, StartChoice } from './start-choice';
import './campaign-editor.css';

const EDITABLE = new Set(['draft', 'scheduled']);

export default function CampaignEditor() {
  const { id } = useParams();
  const campaignId = Number(id);
  if (id === undefined) return <NewCampaign />;
  if (!Number.isSafeInteger(campaignId) || campaignId < 1) return <FormAlert message={`“${id}” is not a campaign id.`} />;
  // Keyed by id: another campaign is another form, with its own draft.
  return <EditCampaign key={campaignId} id={campaignId} />;
}

function NewCampaign() {
  const [params] = useSearchParams();
  const start = params.get('start');
  const template = Number(params.get('template'));
  if (template > 0) return <NewFromTemplate key={template} id={template} />;
  if (!start) return <StartChoice />;
  const format: Format = FORMATS.includes(start as Format) ? (start as Format) : 'mjml';
  return <CampaignForm title="New campaign" draftKey={NEW_DRAFT} defaults={newCampaignValues({ format })} campaignId={null} />;
}

function NewFromTemplate({ id }: { id: number }) {
  const { api } = useSession();
  const template = useQuery({
    queryKey: ['templates', id],
    queryFn: async () => dataOf(await api.GET('/api/templates/{id}', { params: { path: { id } } })),
  });
  if (template.isPending) return <p role="status">Loading the template…</p>;
  if (template.isError) return <FormAlert message={template.error.message} />;
  return (
    <CampaignForm
      title={`New campaign from “${template.data.name}”`}
      draftKey={NEW_DRAFT}
      defaults={newCampaignValues({ template: template.data })}
      campaignId={null}
    />
  );
}

function EditCampaign({ id }: { id: number }) {
  const { api } = useSession();
  const campaign = useQuery({
    // Its own key, dropped once the editor closes: the form starts from what is stored now,
    // never from a copy another screen cached, and no refetch replaces it mid-edit.
    queryKey: ['campaign-editor', id],
    queryFn: async () => dataOf(await api.GET('/api/campaigns/{id}', { params: { path: { id } } })),
    gcTime: 0,
  });
  if (campaign.isPending) return <p role="status">Loading the campaign…</p>;
  if (campaign.isError) return <FormAlert message={campaign.error.message} />;
  if (!EDITABLE.has(campaign.data.status)) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">{campaign.data.name}</h1>
        <p>
          This campaign is {campaign.data.status}: only drafts and scheduled campaigns can be edited.{' '}
          <Link href={`/campaigns/${id}`}>Back to the campaign</Link>
        </p>
      </section>
    );
  }
  return <CampaignForm title={`Edit “${campaign.data.name}”`} draftKey={`campaign-${id}`} defaults={campaignValues(campaign.data)} campaignId={id} />;
}
