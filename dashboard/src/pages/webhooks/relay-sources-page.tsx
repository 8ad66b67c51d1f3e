// Relay webhook sources: what Edgepost checks each relay's webhooks against (a signing
// key, a basic-auth pair, SNS topics), and the URL to paste into the relay's console.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useSession } from '../../api/session';
import type { components } from '../../api/schema';
import { FormAlert } from '../../components/form-alert';
import { dataOf, ensureOk, messageOf } from '../../api/api-call';
import { formatTime } from '../../format';
import { ConfirmButton } from '../../components/confirm-button';
import { RelaySourceForm } from './relay-source-form';
import { providerHelp, providerLabels } from './relay-source-fields';

type RelaySource = components['schemas']['RelayWebhook'];

export function RelaySourcesPage() {
  const { api } = useSession();
  const sources = useQuery({
    queryKey: ['relay-webhooks'],
    queryFn: async () => dataOf(await api.GET('/api/relay-webhooks', { params: { query: { limit: 200 } } })),
  });
  return (
    <div className="stack">
      <p className="hint">
        Bounces, complaints, deliveries and opens reported by your relay reach Edgepost at the URL of its source. Add one per relay account,
        then paste the URL into the relay's webhook settings.
      </p>
      <RelaySourceForm source={null} />
      {sources.isPending && <p role="status">Loading sources…</p>}
      {sources.isError && <FormAlert message={messageOf(sources.error)} />}
      {sources.data && sources.data.data.length === 0 && <p>No relay webhook sources yet.</p>}
      {sources.data?.data.map((source) => <RelaySourceCard key={source.id} source={source} />)}
    </div>
  );
}

function RelaySourceCard({ source }: { source: RelaySource }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [copied, setCopied] = useState(false);
  const copy = useMutation({
    mutationFn: () => navigator.clipboard.writeText(source.url),
    onSuccess: () => setCopied(true),
  });
  if (editing) return <RelaySourceForm source={source} onDone={() => setEditing(false)} />;
  return (
    <section className="panel stack" aria-label={`Relay source ${source.name}`}>
      <div className="page-header">
        <h2>
          {source.name} <span className="badge">{providerLabels[source.provider]}</span>
        </h2>
        <div className="actions">
          <Button className="button secondary small" onPress={() => setEditing(true)}>
            Edit
          </Button>
          <ConfirmButton
            small
            label="Delete"
            ariaLabel={`Delete ${source.name}`}
            title={`Delete ${source.name}?`}
            confirmLabel="Delete source"
            onConfirm={async () => {
              ensureOk(await api.DELETE('/api/relay-webhooks/{id}', { params: { path: { id: source.id } } }));
              await queryClient.invalidateQueries({ queryKey: ['relay-webhooks'] });
            }}
          >
            <p>The relay's webhook calls that this source verified are refused from now on.</p>
          </ConfirmButton>
        </div>
      </div>
      <div>
        <strong>URL to paste into {providerLabels[source.provider]}</strong>
        <div className="actions">
          <code data-testid="relay-url">{source.url}</code>
          <Button className="button secondary small" onPress={() => copy.mutate()}>
            Copy URL
          </Button>
          <span role="status">{copied ? 'Copied.' : copy.isError ? 'The browser refused to copy: select the URL instead.' : ''}</span>
        </div>
        <p className="hint">{providerHelp[source.provider]}</p>
      </div>
      <p>
        Last call from the relay: {source.lastReceivedAt ? formatTime(source.lastReceivedAt) : <span className="muted">never</span>}
        {source.secretsSet.length > 0 && <span className="muted"> · secrets set: {source.secretsSet.join(', ')}</span>}
      </p>
      {source.secretsProblem && <FormAlert message={`The saved secrets cannot be read: ${source.secretsProblem}`} />}
    </section>
  );
}
