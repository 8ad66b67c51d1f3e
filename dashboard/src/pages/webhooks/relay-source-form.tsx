// Add or edit a relay webhook source: the provider (fixed once saved), a name, and the
// provider's own settings; the API's errors land on the field they name.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import { useForm, type Path } from 'react-hook-form';
import { useSession } from '../../api/session';
import type { components } from '../../api/schema';
import { FormAlert } from '../../components/form-alert';
import { clearDraft, readDraft, useDraft } from '../../forms/drafts';
import { applyApiError } from '../../api/api-error';
import { messageOf } from '../../api/api-call';
import { FormTextField } from '../../components/text-field';
import { FormSelectField } from '../../components/select-field';
import {
  fieldIndexOf,
  providerFields,
  providerHelp,
  providerLabels,
  relayFormSettings,
  relaySchema,
  relaySettings,
  settingsKey,
  webhookProviders,
  type RelayValues,
} from './relay-source-fields';

type RelaySource = components['schemas']['RelayWebhook'];

const PROVIDER_OPTIONS = webhookProviders.map((p) => ({ id: p, label: providerLabels[p] }));
const NO_SECRETS = ['settings'] as const;

interface Props {
  /** The source to edit; null to add one. */
  source: RelaySource | null;
  onDone?(): void;
}

export function RelaySourceForm({ source, onDone }: Props) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  const draftKey = `relay-webhook-${source?.id ?? 'new'}`;
  const empty: RelayValues = { provider: source?.provider ?? 'mailgun', name: source?.name ?? '', settings: relayFormSettings(source?.provider ?? 'mailgun', source?.config ?? null) };
  const resolver = useMemo(() => zodResolver(relaySchema(source !== null)), [source]);
  // Settings hold secrets, so only the provider and the name are kept as a draft.
  const form = useForm<RelayValues>({ mode: 'onTouched', resolver, defaultValues: source ? empty : { ...readDraft(draftKey, empty), settings: empty.settings } });
  useDraft(draftKey, form.watch, NO_SECRETS);
  const provider = form.watch('provider');

  useEffect(() => {
    const subscription = form.watch((values, { name }) => {
      if (name !== 'provider' || !values.provider) return;
      form.setValue('settings', relayFormSettings(values.provider, null));
      form.clearErrors('settings');
    });
    return () => subscription.unsubscribe();
  }, [form]);

  /** The form field of an API error's path: the name, or the provider setting it names. */
  function fieldOf(apiPath: string): Path<RelayValues> | null {
    if (apiPath === 'name') return 'name';
    const index = fieldIndexOf(provider, apiPath);
    return index >= 0 ? (`settings.${settingsKey(index)}` as Path<RelayValues>) : null;
  }

  const save = useMutation({
    mutationFn: async (values: RelayValues) => {
      const { config, secrets } = relaySettings(values);
      const result = source
        ? await api.PATCH('/api/relay-webhooks/{id}', {
            params: { path: { id: source.id } },
            body: { name: values.name.trim(), config, ...(Object.keys(secrets).length > 0 ? { secrets } : {}) },
          })
        : await api.POST('/api/relay-webhooks', { body: { provider: values.provider, name: values.name.trim(), config, secrets } });
      if (result.data) return result.data;
      setAlert(applyApiError(result.error, result.response, fieldOf, form.setError));
      return null;
    },
    onSuccess(saved) {
      if (!saved) return;
      clearDraft(draftKey);
      if (!source) form.reset({ provider: saved.provider, name: '', settings: relayFormSettings(saved.provider, null) });
      void queryClient.invalidateQueries({ queryKey: ['relay-webhooks'] });
      onDone?.();
    },
    onError: (err) => setAlert(messageOf(err)),
  });

  const onSubmit = form.handleSubmit((values) => {
    setAlert(null);
    return save.mutateAsync(values);
  });

  const titleId = `relay-form-${source?.id ?? 'new'}`;
  return (
    <form className="panel stack" onSubmit={onSubmit} noValidate aria-labelledby={titleId}>
      <h2 id={titleId}>{source ? `Edit ${source.name}` : 'New relay webhook source'}</h2>
      <FormAlert message={alert} />
      <div className="form-grid">
        <FormSelectField control={form.control} name="provider" label="Relay" options={PROVIDER_OPTIONS} isDisabled={source !== null} />
        <FormTextField control={form.control} name="name" label="Name" description="e.g. Mailgun EU account." />
      </div>
      <p className="hint">{providerHelp[provider]}</p>
      <div className="form-grid">
        {providerFields[provider].map((field, index) => {
          const saved = source?.secretsSet.includes(field.path.slice('secrets.'.length)) ?? false;
          const note = field.kind === 'secret' && source ? (saved ? 'Set (never shown): leave empty to keep it.' : 'Not set.') : '';
          return (
            <div key={`${provider}-${field.path}`} className={field.kind === 'text' || field.kind === 'secret' ? undefined : 'wide'}>
              <FormTextField
                control={form.control}
                name={`settings.${settingsKey(index)}`}
                label={field.label}
                description={[note, field.description].filter(Boolean).join(' ') || undefined}
                optional={field.kind === 'secret' && source !== null}
                type={field.kind === 'secret' ? 'password' : 'text'}
                rows={field.kind === 'multiline' || field.kind === 'lines' ? 3 : undefined}
                spellCheck={false}
              />
            </div>
          );
        })}
      </div>
      <div className="actions">
        <Button type="submit" className="button primary" isPending={save.isPending}>
          {save.isPending ? 'Saving…' : source ? 'Save changes' : 'Add source'}
        </Button>
        {onDone && (
          <Button className="button secondary" onPress={onDone}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}
