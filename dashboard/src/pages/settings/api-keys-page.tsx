// API keys (admins and owners): create one (shown once, with a copy button), see who created
// each and when it was last used, rename or revoke one. Only a hash is stored, so a lost key
// is revoked and replaced.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useForm } from 'react-hook-form';
import { applyApiError, errorMessage } from '../../api/api-error';
import type { components } from '../../api/schema';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { FormTextField } from '../../components/text-field';
import { clearDraft, readDraft, useDraft } from '../../forms/drafts';
import { ConfirmButton } from '../../components/confirm-button';
import { formatTime } from '../../format';
import { NewKeyNotice } from './new-key-notice';
import { RenameKeyButton } from './rename-key-button';
import { apiKeySchema, type ApiKeyValues } from './settings-schemas';

type ApiKey = components['schemas']['ApiKey'];
type NewApiKey = components['schemas']['NewApiKey'];

const DRAFT = 'settings-new-api-key';

export function ApiKeysPage() {
  // Kept here, not in the form, so the key stays on screen until dismissed.
  const [created, setCreated] = useState<NewApiKey | null>(null);
  return (
    <>
      <p className="hint settings-intro">
        Programs call the API with <code>Authorization: Bearer &lt;key&gt;</code>. A key acts as an admin (it cannot manage owners). See
        the <a href="/api/openapi.json">OpenAPI document</a>.
      </p>
      {created ? <NewKeyNotice apiKey={created} onDone={() => setCreated(null)} /> : <NewApiKeyForm onCreated={setCreated} />}
      <ApiKeysTable />
    </>
  );
}

function NewApiKeyForm({ onCreated }: { onCreated(key: NewApiKey): void }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm<ApiKeyValues>({ mode: 'onTouched', resolver: zodResolver(apiKeySchema), defaultValues: readDraft(DRAFT, { name: '' }) });
  useDraft(DRAFT, form.watch);

  const create = useMutation({
    mutationFn: async (values: ApiKeyValues) => {
      const { data, error, response } = await api.POST('/api/api-keys', { body: values });
      if (!data) {
        setAlert(applyApiError(error, response, ['name'], form.setError));
        return null;
      }
      return data;
    },
    onSuccess: (key) => {
      if (!key) return;
      form.reset({ name: '' });
      clearDraft(DRAFT);
      onCreated(key);
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
    onError: (err) => setAlert(errorMessage(err)),
  });

  const onSubmit = form.handleSubmit((values) => {
    setAlert(null);
    return create.mutateAsync(values);
  });

  return (
    <form className="panel inline-form" onSubmit={onSubmit} noValidate aria-labelledby="new-key-title">
      <h2 id="new-key-title">New API key</h2>
      <FormAlert message={alert} />
      <FormTextField control={form.control} name="name" label="Name" description="What will use it, e.g. the website's sign-up form." autoComplete="off" />
      <Button type="submit" className="button primary" isPending={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create key'}
      </Button>
    </form>
  );
}

function ApiKeysTable() {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const keys = useQuery({
    queryKey: ['api-keys'],
    queryFn: async () => {
      const { data, error, response } = await api.GET('/api/api-keys');
      if (!data) throw new Error(errorMessage(error, response));
      return data.data;
    },
  });

  /** Revokes a key: null when done, else the API's refusal. */
  async function revoke(key: ApiKey): Promise<string | null> {
    try {
      const { error, response } = await api.DELETE('/api/api-keys/{id}', { params: { path: { id: key.id } } });
      if (!response.ok) return errorMessage(error, response);
      await queryClient.invalidateQueries({ queryKey: ['api-keys'] });
      return null;
    } catch (err) {
      return errorMessage(err);
    }
  }

  if (keys.isPending) return <p role="status">Loading API keys…</p>;
  if (keys.isError) return <FormAlert message={keys.error.message} />;
  if (keys.data.length === 0) return <p>No API keys yet: create the first one above.</p>;
  return (
    <table className="table settings-table">
      <caption>API keys</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Key</th>
          <th scope="col">Created</th>
          <th scope="col">By</th>
          <th scope="col">Last used</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.data.map((key) => (
          <tr key={key.id} className={key.revokedAt ? 'settings-row-disabled' : undefined}>
            <th scope="row">{key.name}</th>
            <td>
              <code>{key.prefix}…</code>
            </td>
            <td>{formatTime(key.createdAt)}</td>
            <td>{creatorOf(key)}</td>
            <td>{formatTime(key.lastUsedAt, 'Never')}</td>
            <td>{key.revokedAt ? `Revoked ${formatTime(key.revokedAt)}` : 'Active'}</td>
            <td className="settings-end">
              <RenameKeyButton apiKey={key} />{' '}
              {!key.revokedAt && (
                <ConfirmButton small label="Revoke" ariaLabel={`Revoke ${key.name}`} title={`Revoke the key “${key.name}”?`} onConfirm={() => revoke(key)}>
                  <p>Every program using this key is refused (401) from now on. This cannot be undone: create a new key to replace it.</p>
                </ConfirmButton>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Who created a key, as the table says it. */
function creatorOf(key: ApiKey): string {
  // Null: the command line, a user since deleted, or a key older than the record.
  if (!key.createdBy) return 'Unknown';
  return key.createdBy.kind === 'user' ? key.createdBy.name : `Key “${key.createdBy.name}”`;
}
