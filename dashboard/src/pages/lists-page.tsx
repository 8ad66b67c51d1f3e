// Lists: every list with its member counts, and a form to create one.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Label, Link, Radio, RadioGroup } from 'react-aria-components';
import { useController, useForm } from 'react-hook-form';
import { dataOf } from '../api/api-call';
import { applyApiError, errorMessage } from '../api/api-error';
import { useSession } from '../api/session';
import { FormAlert } from '../components/form-alert';
import { FormTextField } from '../components/text-field';
import { clearDraft, readDraft, useDraft } from '../forms/drafts';
import { listSchema, type ListValues } from '../forms/schemas';

const DRAFT = 'new-list';

export function ListsPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Lists</h1>
      <NewListForm />
      <ListsTable />
    </section>
  );
}

function ListsTable() {
  const { api } = useSession();
  const lists = useQuery({
    queryKey: ['lists'],
    queryFn: async () => dataOf(await api.GET('/api/lists', { params: { query: { limit: 100 } } })),
  });
  if (lists.isPending) return <p role="status">Loading lists…</p>;
  if (lists.isError) return <FormAlert message={lists.error.message} />;
  if (lists.data.data.length === 0) return <p>No lists yet: create the first one above.</p>;
  return (
    <table className="table">
      <caption>Your lists{lists.data.nextCursor ? ' (the first 100)' : ''}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Opt-in</th>
          <th scope="col" className="number">Subscribed</th>
          <th scope="col" className="number">Unconfirmed</th>
          <th scope="col" className="number">Unsubscribed</th>
        </tr>
      </thead>
      <tbody>
        {lists.data.data.map((list) => (
          <tr key={list.id}>
            <th scope="row"><Link href={`/subscribers?list=${list.id}`}>{list.name}</Link></th>
            <td>{list.optin === 'double' ? 'Double' : 'Single'}</td>
            <td className="number">{list.counts.subscribed}</td>
            <td className="number">{list.counts.unconfirmed}</td>
            <td className="number">{list.counts.unsubscribed}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NewListForm() {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm<ListValues>({
    mode: 'onTouched',
    resolver: zodResolver(listSchema),
    defaultValues: readDraft<ListValues>(DRAFT, { name: '', optin: 'single' }),
  });
  useDraft(DRAFT, form.watch);
  const optin = useController({ control: form.control, name: 'optin' });

  const create = useMutation({
    mutationFn: async (values: ListValues) => {
      const { data, error, response } = await api.POST('/api/lists', { body: values });
      if (!data) {
        setAlert(applyApiError(error, response, ['name', 'optin'], form.setError));
        return null;
      }
      return data;
    },
    onSuccess: (list) => {
      if (!list) return;
      clearDraft(DRAFT);
      form.reset({ name: '', optin: 'single' });
      void queryClient.invalidateQueries({ queryKey: ['lists'] });
    },
    onError: (err) => setAlert(errorMessage(err)),
  });

  const onSubmit = form.handleSubmit((values) => {
    setAlert(null);
    return create.mutateAsync(values);
  });

  return (
    <form className="panel inline-form" onSubmit={onSubmit} noValidate aria-labelledby="new-list-title">
      <h2 id="new-list-title">New list</h2>
      <FormAlert message={alert} />
      <FormTextField control={form.control} name="name" label="Name" />
      <RadioGroup className="radio-group" value={optin.field.value} onChange={optin.field.onChange} orientation="horizontal">
        <Label>Opt-in</Label>
        <Radio value="single">Single: added at once</Radio>
        <Radio value="double">Double: confirmed by email</Radio>
      </RadioGroup>
      <Button type="submit" className="button primary" isPending={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create list'}
      </Button>
    </form>
  );
}
