// Outgoing webhooks: the endpoints Edgepost calls, and a form to add one (its signing
// secret is shown once, right after).
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Link } from 'react-aria-components';
import { useForm } from 'react-hook-form';
import { applyApiError } from '../../api/api-error';
import { useSession } from '../../api/session';
import type { components } from '../../api/schema';
import { FormAlert } from '../../components/form-alert';
import { clearDraft, readDraft, useDraft } from '../../forms/drafts';
import { dataOf, messageOf } from '../../api/api-call';
import { ActiveField, ENDPOINT_FIELDS, EndpointFields, endpointSchema, type EndpointValues } from './endpoint-form';
import { SecretReveal } from './secret-reveal';

type EndpointWithSecret = components['schemas']['WebhookEndpointWithSecret'];

const DRAFT = 'new-webhook-endpoint';
const EMPTY: EndpointValues = { url: '', description: '', events: [], active: true };

export function EndpointsPage() {
  const [created, setCreated] = useState<EndpointWithSecret | null>(null);
  return (
    <div className="stack">
      {created && <SecretReveal secret={created.secret} previousSecretExpiresAt={null} onDismiss={() => setCreated(null)} />}
      <NewEndpointForm onCreated={setCreated} />
      <EndpointsTable />
    </div>
  );
}

function EndpointsTable() {
  const { api } = useSession();
  const endpoints = useQuery({
    queryKey: ['webhook-endpoints'],
    queryFn: async () => dataOf(await api.GET('/api/webhook-endpoints', { params: { query: { limit: 200 } } })),
  });
  if (endpoints.isPending) return <p role="status">Loading endpoints…</p>;
  if (endpoints.isError) return <FormAlert message={messageOf(endpoints.error)} />;
  if (endpoints.data.data.length === 0) return <p>No endpoints yet: add the first one above.</p>;
  return (
    <table className="table">
      <caption>Endpoints</caption>
      <thead>
        <tr>
          <th scope="col">URL</th>
          <th scope="col">Description</th>
          <th scope="col">Events</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {endpoints.data.data.map((endpoint) => (
          <tr key={endpoint.id}>
            <th scope="row">
              <Link href={`/webhooks/endpoints/${endpoint.id}`}>{endpoint.url}</Link>
            </th>
            <td>{endpoint.description || <span className="muted">None</span>}</td>
            <td>{endpoint.events.length === 1 ? endpoint.events[0] : `${endpoint.events.length} events`}</td>
            <td>{endpoint.active ? <span className="badge ok">Active</span> : <span className="badge failed">Disabled</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NewEndpointForm({ onCreated }: { onCreated(endpoint: EndpointWithSecret): void }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm<EndpointValues>({ mode: 'onTouched', resolver: zodResolver(endpointSchema), defaultValues: readDraft(DRAFT, EMPTY) });
  useDraft(DRAFT, form.watch);

  const create = useMutation({
    mutationFn: async (values: EndpointValues) => {
      const { data, error, response } = await api.POST('/api/webhook-endpoints', { body: values });
      if (data) return data;
      setAlert(applyApiError(error, response, ENDPOINT_FIELDS, form.setError));
      return null;
    },
    onSuccess(endpoint) {
      if (!endpoint) return;
      clearDraft(DRAFT);
      form.reset(EMPTY);
      onCreated(endpoint);
      void queryClient.invalidateQueries({ queryKey: ['webhook-endpoints'] });
    },
    onError: (err) => setAlert(messageOf(err)),
  });

  const onSubmit = form.handleSubmit((values) => {
    setAlert(null);
    return create.mutateAsync(values);
  });

  return (
    <form className="panel stack" onSubmit={onSubmit} noValidate aria-labelledby="new-endpoint-title">
      <h2 id="new-endpoint-title">New endpoint</h2>
      <FormAlert message={alert} />
      <EndpointFields control={form.control} />
      <ActiveField control={form.control} />
      <div>
        <Button type="submit" className="button primary" isPending={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add endpoint'}
        </Button>
      </div>
    </form>
  );
}
