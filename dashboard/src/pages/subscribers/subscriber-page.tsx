// One subscriber: edit their fields and attributes, their list memberships, their
// activity, and delete them.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Link } from 'react-aria-components';
import { useForm } from 'react-hook-form';
import { useParams } from 'react-router';
import { callFailed } from '../../api/api-call';
import { applyApiError, errorMessage } from '../../api/api-error';
import type { components } from '../../api/schema';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { clearDraft, readDraft, useDraft } from '../../forms/drafts';
import { NotFoundPage } from '../not-found-page';
import { DeleteSubscriberButton } from './delete-subscriber-button';
import { formatTime } from '../../format';
import { SubscriberActivity } from './subscriber-activity';
import { SubscriberFields } from './subscriber-fields';
import { attributesFromRows, rowsFromAttributes, SUBSCRIBER_FIELDS, subscriberSchema, type SubscriberValues } from './subscriber-form';
import { SubscriberMemberships } from './subscriber-memberships';

export type Subscriber = components['schemas']['SubscriberWithLists'];

/** The query that GET /api/subscribers/{id} answers; the panels share its cache entry. */
function useSubscriber(id: number) {
  const { api } = useSession();
  return useQuery({
    queryKey: ['subscriber', id],
    queryFn: async () => {
      const { data, error, response } = await api.GET('/api/subscribers/{id}', { params: { path: { id } } });
      if (response.status === 404) return null;
      if (!data) callFailed(error, response);
      return data;
    },
  });
}

export function SubscriberPage() {
  const id = Number(useParams().id);
  const subscriber = useSubscriber(id);
  if (!Number.isInteger(id) || id <= 0 || subscriber.data === null) return <NotFoundPage />;
  if (subscriber.isPending) return <p role="status">Loading the subscriber…</p>;
  if (subscriber.isError) return <FormAlert message={subscriber.error.message} />;
  const s = subscriber.data;
  return (
    <section aria-labelledby="page-title">
      <p className="breadcrumb"><Link href="/subscribers">Subscribers</Link></p>
      <div className="page-heading">
        <h1 id="page-title">{s.email}</h1>
        <DeleteSubscriberButton subscriber={s} />
      </div>
      <p className="hint detail-intro">Added {formatTime(s.createdAt)}; last changed {formatTime(s.updatedAt)}.</p>
      <div className="detail-columns">
        <SubscriberEditForm subscriber={s} />
        <div>
          <SubscriberMemberships subscriber={s} />
          <SubscriberActivity subscriberId={s.id} />
        </div>
      </div>
    </section>
  );
}

function valuesOf(s: Subscriber): SubscriberValues {
  return { email: s.email, name: s.name, status: s.status, attributes: rowsFromAttributes(s.attributes) };
}

function SubscriberEditForm({ subscriber }: { subscriber: Subscriber }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const draftKey = `subscriber-${subscriber.id}`;
  const [alert, setAlert] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const form = useForm<SubscriberValues>({ mode: 'onTouched', resolver: zodResolver(subscriberSchema), defaultValues: readDraft(draftKey, valuesOf(subscriber)) });
  useDraft(draftKey, form.watch);

  const save = useMutation({
    mutationFn: async (values: SubscriberValues) => {
      // `replace`: the rows are the whole set, so a removed row removes its attribute.
      const body = { ...values, attributes: attributesFromRows(values.attributes), attributesMode: 'replace' as const };
      const { data, error, response } = await api.PATCH('/api/subscribers/{id}', { params: { path: { id: subscriber.id } }, body });
      if (!data) setAlert(applyApiError(error, response, SUBSCRIBER_FIELDS, form.setError));
      return data ?? null;
    },
    onSuccess: (updated) => {
      if (!updated) return;
      // Reset first: it notifies the draft's watcher, which would save the draft again.
      form.reset(valuesOf(updated));
      clearDraft(draftKey);
      setSaved(true);
      queryClient.setQueryData(['subscriber', updated.id], updated);
      void queryClient.invalidateQueries({ queryKey: ['subscribers'] });
    },
    onError: (err) => setAlert(errorMessage(err)),
  });

  const onSubmit = form.handleSubmit((values) => {
    setAlert(null);
    setSaved(false);
    return save.mutateAsync(values);
  });
  const discard = () => {
    form.reset(valuesOf(subscriber));
    clearDraft(draftKey);
    setSaved(false);
  };

  return (
    <form className="panel stacked-form" onSubmit={onSubmit} noValidate aria-labelledby="edit-title">
      <h2 id="edit-title">Details</h2>
      <FormAlert message={alert} />
      <SubscriberFields form={form} />
      <div className="actions">
        <Button type="submit" className="button primary" isPending={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save changes'}
        </Button>
        <Button className="button secondary" onPress={discard}>
          Discard changes
        </Button>
        <span role="status" className="saved-note">{saved && !form.formState.isDirty ? 'Saved.' : ''}</span>
      </div>
    </form>
  );
}
