// One outgoing webhook endpoint: edit it, send a test ping, rotate its secret (shown once),
// delete it, and read its delivery log.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Link } from 'react-aria-components';
import { useForm } from 'react-hook-form';
import { useNavigate, useParams } from 'react-router';
import { applyApiError } from '../../api/api-error';
import { useSession } from '../../api/session';
import type { components } from '../../api/schema';
import { FormAlert } from '../../components/form-alert';
import { NotFoundPage } from '../not-found-page';
import { dataOf, ensureOk, messageOf } from '../../api/api-call';
import { ConfirmButton } from '../../components/confirm-button';
import { DeliveriesTable } from './deliveries-table';
import { ActiveField, ENDPOINT_FIELDS, EndpointFields, endpointSchema, type EndpointValues } from './endpoint-form';
import { SecretReveal } from './secret-reveal';

type Endpoint = components['schemas']['WebhookEndpoint'];
type EndpointWithSecret = components['schemas']['WebhookEndpointWithSecret'];

export function EndpointPage() {
  const { api } = useSession();
  const id = Number(useParams().id);
  const valid = Number.isSafeInteger(id) && id > 0;
  const endpoint = useQuery({
    queryKey: ['webhook-endpoints', id],
    enabled: valid,
    queryFn: async () => dataOf(await api.GET('/api/webhook-endpoints/{id}', { params: { path: { id } } })),
  });
  if (!valid) return <NotFoundPage />;
  if (endpoint.isPending) return <p role="status">Loading the endpoint…</p>;
  if (endpoint.isError) return <FormAlert message={messageOf(endpoint.error)} />;
  return (
    <div className="stack">
      <p>
        <Link href="/webhooks">← All endpoints</Link>
      </p>
      <EndpointActions endpoint={endpoint.data} />
      <EditEndpointForm key={endpoint.data.id} endpoint={endpoint.data} />
      <DeliveriesTable endpointId={endpoint.data.id} />
    </div>
  );
}

function EndpointActions({ endpoint }: { endpoint: Endpoint }) {
  const { api } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [rotated, setRotated] = useState<EndpointWithSecret | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const ping = useMutation({
    mutationFn: async () => dataOf(await api.POST('/api/webhook-endpoints/{id}/test', { params: { path: { id: endpoint.id } } })),
    onSuccess(delivery) {
      setNote(`Test ping #${delivery.id} queued: it shows below once a sender has sent it.`);
      void queryClient.invalidateQueries({ queryKey: ['webhook-deliveries', endpoint.id] });
    },
  });
  const rotate = async (graceHours: number) => {
    const data = dataOf(await api.POST('/api/webhook-endpoints/{id}/rotate-secret', { params: { path: { id: endpoint.id } }, body: { graceHours } }));
    setRotated(data);
  };
  const error = ping.error ?? null;
  return (
    <section className="stack" aria-labelledby="page-title">
      <h1 id="page-title">Endpoint {endpoint.url}</h1>
      {rotated && <SecretReveal secret={rotated.secret} previousSecretExpiresAt={rotated.previousSecretExpiresAt} onDismiss={() => setRotated(null)} />}
      <div className="actions">
        <Button className="button secondary" onPress={() => ping.mutate()} isPending={ping.isPending}>
          Send test ping
        </Button>
        <ConfirmButton small label="Rotate secret" title="Rotate the signing secret?" confirmLabel="Rotate, keep the old one 24 hours" onConfirm={() => rotate(24)}>
          <p>A new secret is made and shown once. For 24 hours each delivery is signed with both, so you can update your receiver without losing one.</p>
        </ConfirmButton>
        <ConfirmButton small label="Rotate after a leak" title="Stop the old secret now?" confirmLabel="Rotate and stop the old one" onConfirm={() => rotate(0)}>
          <p>The old secret stops signing at once: deliveries fail verification until your receiver has the new one.</p>
        </ConfirmButton>
        <ConfirmButton
          small
          label="Delete endpoint"
          title="Delete this endpoint?"
          confirmLabel="Delete endpoint"
          onConfirm={async () => {
            ensureOk(await api.DELETE('/api/webhook-endpoints/{id}', { params: { path: { id: endpoint.id } } }));
            await queryClient.invalidateQueries({ queryKey: ['webhook-endpoints'] });
            navigate('/webhooks');
          }}
        >
          <p>It gets nothing more, and its delivery log is deleted with it.</p>
        </ConfirmButton>
      </div>
      <p role="status">{note}</p>
      <FormAlert message={error ? messageOf(error) : null} />
    </section>
  );
}

function EditEndpointForm({ endpoint }: { endpoint: Endpoint }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const valuesOf = (e: Endpoint): EndpointValues => ({ url: e.url, description: e.description, events: e.events as EndpointValues['events'], active: e.active });
  const form = useForm<EndpointValues>({ mode: 'onTouched', resolver: zodResolver(endpointSchema), defaultValues: valuesOf(endpoint) });

  const update = useMutation({
    mutationFn: async (values: EndpointValues) => {
      const { data, error, response } = await api.PATCH('/api/webhook-endpoints/{id}', { params: { path: { id: endpoint.id } }, body: values });
      if (data) return data;
      setAlert(applyApiError(error, response, ENDPOINT_FIELDS, form.setError));
      return null;
    },
    onSuccess(updated) {
      if (!updated) return;
      form.reset(valuesOf(updated));
      setSaved(true);
      void queryClient.invalidateQueries({ queryKey: ['webhook-endpoints'] });
    },
    onError: (err) => setAlert(messageOf(err)),
  });

  const onSubmit = form.handleSubmit((values) => {
    setAlert(null);
    setSaved(false);
    return update.mutateAsync(values);
  });

  return (
    <form className="panel stack" onSubmit={onSubmit} noValidate aria-labelledby="edit-endpoint-title">
      <h2 id="edit-endpoint-title">Settings</h2>
      <FormAlert message={alert} />
      <EndpointFields control={form.control} />
      <ActiveField control={form.control} />
      <div className="actions">
        <Button type="submit" className="button primary" isPending={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save changes'}
        </Button>
        <span role="status">{saved ? 'Saved.' : ''}</span>
      </div>
    </form>
  );
}
