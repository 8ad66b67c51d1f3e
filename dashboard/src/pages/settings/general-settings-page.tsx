// General settings: the soft-bounce rule and the install's tracking mode and domain
// (GET/PATCH /api/settings), and the signing keys. Admins and owners change them; other
// roles see them read-only.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Label, Radio, RadioGroup } from 'react-aria-components';
import { useController, useForm, type Control } from 'react-hook-form';
import { dataOf } from '../../api/api-call';
import { applyApiError, errorMessage } from '../../api/api-error';
import type { components } from '../../api/schema';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { FormTextField } from '../../components/text-field';
import { clearDraft, readDraft, useDraft } from '../../forms/drafts';
import { FormNumberField } from '../../components/number-field';
import { roleAtLeast, useSignedInUser } from './roles';
import { generalSettingsSchema, type GeneralSettingsValues } from './settings-schemas';
import { SigningKeysPanel } from './signing-keys-panel';

type Settings = components['schemas']['Settings'];

const DRAFT = 'settings-general';
const FIELDS = ['softBounceLimit', 'softBounceDays', 'tracking', 'trackingDomain'] as const;

const TRACKING_MODES: { value: Settings['tracking']; label: string; description: string }[] = [
  {
    value: 'on',
    label: 'On',
    description: 'Opens and clicks are recorded per message: you see who opened and who clicked which link.',
  },
  {
    value: 'anonymous',
    label: 'Anonymous',
    description: 'Opens and clicks are counted per campaign only: the pixel and links carry the campaign, not the reader, so nothing in the mail tells Edgepost who read it.',
  },
  {
    value: 'off',
    label: 'Off',
    description: 'No pixel, and links are left exactly as written: no opens or clicks are recorded. The unsubscribe link and List-Unsubscribe headers stay (they are not tracking).',
  },
];

/** The form's view of the stored settings ('' for a null tracking domain). */
function toValues(settings: Settings): GeneralSettingsValues {
  return { ...settings, trackingDomain: settings.trackingDomain ?? '' };
}

export function GeneralSettingsPage() {
  const { api } = useSession();
  const user = useSignedInUser();
  const isAdmin = roleAtLeast(user.role, 'admin');
  const settings = useQuery({
    queryKey: ['settings'],
    queryFn: async () => dataOf(await api.GET('/api/settings')),
  });

  return (
    <>
      {!isAdmin && <p className="hint settings-read-only">Only admins and owners change these settings; your role is {user.role}.</p>}
      {settings.isPending && <p role="status">Loading settings…</p>}
      {settings.isError && <FormAlert message={settings.error.message} />}
      {settings.data && <SettingsForm stored={settings.data} canEdit={isAdmin} />}
      {isAdmin && <SigningKeysPanel />}
    </>
  );
}

function SettingsForm({ stored, canEdit }: { stored: Settings; canEdit: boolean }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const storedValues = toValues(stored);
  const form = useForm<GeneralSettingsValues>({
    mode: 'onTouched',
    resolver: zodResolver(generalSettingsSchema),
    // A draft left by a session that lapsed mid-edit comes back; for readers there is none to keep.
    defaultValues: canEdit ? readDraft(DRAFT, storedValues) : storedValues,
  });
  // Readers cannot change a value, so nothing of theirs is ever written.
  useDraft(DRAFT, form.watch);
  const values = form.watch();
  const changed = FIELDS.filter((name) => values[name] !== storedValues[name]);

  const save = useMutation({
    mutationFn: async (next: GeneralSettingsValues) => {
      // Only what changed, so a setting someone else changed meanwhile is not put back.
      const body = Object.fromEntries(changed.map((name) => [name, name === 'trackingDomain' ? next.trackingDomain.trim() || null : next[name]]));
      const { data, error, response } = await api.PATCH('/api/settings', { body });
      if (!data) {
        setAlert(applyApiError(error, response, FIELDS, form.setError));
        return null;
      }
      return data;
    },
    onSuccess: (data) => {
      if (!data) return;
      queryClient.setQueryData(['settings'], data);
      // reset() notifies the draft's watcher at once: forget the draft after it, not before.
      form.reset(toValues(data));
      clearDraft(DRAFT);
      setSaved(true);
    },
    onError: (err) => setAlert(errorMessage(err)),
  });

  function discard() {
    form.reset(storedValues);
    clearDraft(DRAFT);
  }

  const onSubmit = form.handleSubmit((next) => {
    setAlert(null);
    setSaved(false);
    return save.mutateAsync(next);
  });

  return (
    <form className="settings-form" onSubmit={onSubmit} noValidate aria-label="General settings">
      <FormAlert message={alert} />
      <fieldset className="panel settings-fieldset" disabled={!canEdit}>
        <legend>Soft-bounce rule</legend>
        <p className="hint">
          An address is suppressed (reason <code>soft_bounce</code>) once it soft-bounces this many times, from different messages, within the window.
        </p>
        <div className="settings-row">
          <FormNumberField control={form.control} name="softBounceLimit" label="Soft bounces" description="From 1 to 100" isReadOnly={!canEdit} />
          <FormNumberField control={form.control} name="softBounceDays" label="Within (days)" description="From 1 to 365" isReadOnly={!canEdit} />
        </div>
      </fieldset>
      <fieldset className="panel settings-fieldset" disabled={!canEdit}>
        <legend>Tracking</legend>
        <p className="hint">The default for campaigns that do not choose their own.</p>
        <TrackingModeField control={form.control} canEdit={canEdit} />
        <FormTextField
          control={form.control}
          name="trackingDomain"
          label="Tracking domain"
          optional
          description="Pixel and click links use https://<this host> instead of Edgepost's own address (PUBLIC_URL); unsubscribe links stay on PUBLIC_URL. Point the host at Edgepost with an HTTPS certificate first (docs/tracking.md). Empty: PUBLIC_URL."
        />
      </fieldset>
      {canEdit && (
        <div className="settings-actions">
          <Button type="submit" className="button primary" isPending={save.isPending} isDisabled={changed.length === 0}>
            {save.isPending ? 'Saving…' : 'Save settings'}
          </Button>
          {changed.length > 0 && (
            <Button className="button secondary" onPress={discard}>
              Discard changes
            </Button>
          )}
          <span role="status" className="hint">
            {changed.length > 0 ? 'Unsaved changes.' : saved ? 'Saved.' : ''}
          </span>
        </div>
      )}
    </form>
  );
}

function TrackingModeField({ control, canEdit }: { control: Control<GeneralSettingsValues>; canEdit: boolean }) {
  const { field } = useController({ control, name: 'tracking' });
  return (
    <RadioGroup className="radio-group settings-tracking" value={field.value} onChange={field.onChange} isReadOnly={!canEdit}>
      <Label>Tracking mode</Label>
      {TRACKING_MODES.map((mode) => (
        <div key={mode.value} className="settings-radio-option">
          <Radio value={mode.value} aria-describedby={`tracking-${mode.value}-help`}>
            {mode.label}
          </Radio>
          <p id={`tracking-${mode.value}-help`} className="hint">
            {mode.description}
          </p>
        </div>
      ))}
    </RadioGroup>
  );
}
