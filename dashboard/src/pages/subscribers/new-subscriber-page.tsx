// Add a subscriber: address, name, status, attributes, and the lists to join.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Checkbox, CheckboxGroup, Label, Link, Text } from 'react-aria-components';
import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { applyApiError, errorMessage } from '../../api/api-error';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { clearDraft, readDraft, useDraft } from '../../forms/drafts';
import { SubscriberFields } from './subscriber-fields';
import { attributesFromRows, SUBSCRIBER_FIELDS, subscriberSchema, type SubscriberValues } from './subscriber-form';
import { useLists } from './use-lists';

const DRAFT = 'new-subscriber';

const EMPTY: SubscriberValues = { email: '', name: '', status: 'active', attributes: [] };

interface Memberships {
  /** List ids, as text (the checkboxes' values). */
  lists: string[];
  preconfirm: boolean;
}

export function NewSubscriberPage() {
  const { api } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  const [duplicateOf, setDuplicateOf] = useState<number | null>(null);
  const [memberships, setMemberships] = useState<Memberships>({ lists: [], preconfirm: false });
  const form = useForm<SubscriberValues>({ mode: 'onTouched', resolver: zodResolver(subscriberSchema), defaultValues: readDraft(DRAFT, EMPTY) });
  useDraft(DRAFT, form.watch);

  const create = useMutation({
    mutationFn: async (values: SubscriberValues) => {
      const body = { ...values, attributes: attributesFromRows(values.attributes), lists: memberships.lists.map(Number), preconfirm: memberships.preconfirm };
      const { data, error, response } = await api.POST('/api/subscribers', { body });
      if (data) return data;
      if (response.status === 409 && error && 'existingId' in error.error) setDuplicateOf(error.error.existingId);
      setAlert(applyApiError(error, response, SUBSCRIBER_FIELDS, form.setError));
      return null;
    },
    onSuccess: (subscriber) => {
      if (!subscriber) return;
      clearDraft(DRAFT);
      void queryClient.invalidateQueries({ queryKey: ['subscribers'] });
      void queryClient.invalidateQueries({ queryKey: ['lists'] });
      navigate(`/subscribers/${subscriber.id}`);
    },
    onError: (err) => setAlert(errorMessage(err)),
  });

  const onSubmit = form.handleSubmit((values) => {
    setAlert(null);
    setDuplicateOf(null);
    return create.mutateAsync(values);
  });

  return (
    <section aria-labelledby="page-title">
      <p className="breadcrumb"><Link href="/subscribers">Subscribers</Link></p>
      <h1 id="page-title">Add a subscriber</h1>
      <form className="panel stacked-form" onSubmit={onSubmit} noValidate>
        <FormAlert message={alert} />
        {duplicateOf !== null && (
          <p>
            <Link href={`/subscribers/${duplicateOf}`}>Open the existing subscriber</Link>
          </p>
        )}
        <SubscriberFields form={form} />
        <ListPicker value={memberships} onChange={setMemberships} />
        <div className="actions">
          <Button type="submit" className="button primary" isPending={create.isPending}>
            {create.isPending ? 'Adding…' : 'Add subscriber'}
          </Button>
          <Link href="/subscribers" className="button secondary">Cancel</Link>
        </div>
      </form>
    </section>
  );
}

function ListPicker({ value, onChange }: { value: Memberships; onChange(value: Memberships): void }) {
  const lists = useLists();
  if (lists.isError) return <FormAlert message={lists.error.message} />;
  if (!lists.data || lists.data.length === 0) return null;
  return (
    <>
      <CheckboxGroup className="checkbox-group" value={value.lists} onChange={(lists) => onChange({ ...value, lists })}>
        <Label>Lists</Label>
        {lists.data.map((list) => (
          <Checkbox key={list.id} value={String(list.id)}>
            {list.name}
            {list.optin === 'double' ? ' (double opt-in)' : ''}
          </Checkbox>
        ))}
      </CheckboxGroup>
      <Checkbox className="checkbox" isSelected={value.preconfirm} onChange={(preconfirm) => onChange({ ...value, preconfirm })}>
        Already confirmed: join double opt-in lists as subscribed
      </Checkbox>
      <Text className="hint">Otherwise a double opt-in list holds the subscriber as unconfirmed until they confirm by email.</Text>
    </>
  );
}
