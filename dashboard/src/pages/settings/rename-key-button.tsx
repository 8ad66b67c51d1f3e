// "Rename" on a row of the API keys table: a dialog with the key's name (PATCH /api/api-keys/{id}).
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, DialogTrigger, Heading } from 'react-aria-components';
import { useForm } from 'react-hook-form';
import { applyApiError, errorMessage } from '../../api/api-error';
import type { components } from '../../api/schema';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { ModalFormActions } from '../../components/modal-form-actions';
import { ModalDialog } from '../../components/modal-dialog';
import { FormTextField } from '../../components/text-field';
import { apiKeySchema, type ApiKeyValues } from './settings-schemas';

type ApiKey = components['schemas']['ApiKey'];

export function RenameKeyButton({ apiKey }: { apiKey: ApiKey }) {
  return (
    <DialogTrigger>
      <Button className="button secondary small" aria-label={`Rename ${apiKey.name}`}>
        Rename
      </Button>
      <ModalDialog>{({ close }) => <RenameKeyForm apiKey={apiKey} onDone={close} />}</ModalDialog>
    </DialogTrigger>
  );
}

function RenameKeyForm({ apiKey, onDone }: { apiKey: ApiKey; onDone(): void }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm<ApiKeyValues>({ mode: 'onTouched', resolver: zodResolver(apiKeySchema), defaultValues: { name: apiKey.name } });

  const rename = useMutation({
    mutationFn: async (values: ApiKeyValues) => {
      const { data, error, response } = await api.PATCH('/api/api-keys/{id}', { params: { path: { id: apiKey.id } }, body: values });
      if (!data) setAlert(applyApiError(error, response, ['name'], form.setError));
      return data ?? null;
    },
    onSuccess: async (renamed) => {
      if (!renamed) return;
      await queryClient.invalidateQueries({ queryKey: ['api-keys'] });
      onDone();
    },
    onError: (err) => setAlert(errorMessage(err)),
  });

  const onSubmit = form.handleSubmit((values) => {
    setAlert(null);
    return rename.mutateAsync(values);
  });

  return (
    <form onSubmit={onSubmit} noValidate className="modal-form">
      <Heading slot="title">Rename the key {apiKey.prefix}…</Heading>
      <FormAlert message={alert} />
      <FormTextField control={form.control} name="name" label="Name" autoFocus autoComplete="off" />
      <ModalFormActions label="Rename" pendingLabel="Saving…" pending={rename.isPending} />
    </form>
  );
}
