// One sending server: add it (the form follows the chosen driver) or edit it, then
// validate it on the relay and see its health (the last live check).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Button, Checkbox, Link } from 'react-aria-components';
import { useForm, type Path } from 'react-hook-form';
import { useNavigate, useParams } from 'react-router';
import { applyApiError } from '../../api/api-error';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { clearDraft, readDraft, useDraft } from '../../forms/drafts';
import { NotFoundPage } from '../not-found-page';
import { dataOf, messageOf } from '../../api/api-call';
import { driverFields, driverLabels, driverNames, driverSettings, type DriverName } from './driver-fields';
import { FormTextField } from '../../components/text-field';
import { FormSelectField } from '../../components/select-field';
import { domainRatesOf, fieldFor, formValuesOf, serverResolver, settingsPart, settingsValues, type SendingServer, type ServerFormValues } from './server-form-model';
import { DriverSettingsFields, RateFields, RemoveSecretsField } from './server-settings-fields';
import { CheckOutcome, LastCheck, ProblemList, useServerCheck, type CheckResult } from './use-server-check';

const SECRET_PARTS = ['secrets'] as const;
const DRIVER_OPTIONS = driverNames.map((d) => ({ id: d, label: driverLabels[d] }));

export function SendingServerPage() {
  const { id: param } = useParams();
  const { api } = useSession();
  const id = param === undefined ? null : Number(param);
  const server = useQuery({
    queryKey: ['sending-servers', id],
    enabled: id !== null && Number.isSafeInteger(id),
    queryFn: async () => dataOf(await api.GET('/api/sending-servers/{id}', { params: { path: { id: id! } } })),
  });
  if (id !== null && !(Number.isSafeInteger(id) && id > 0)) return <NotFoundPage />;
  if (id !== null && server.isPending) return <p role="status">Loading the server…</p>;
  if (id !== null && server.isError) return <FormAlert message={messageOf(server.error)} />;
  const saved = server.data ?? null;
  return (
    <section aria-labelledby="page-title" className="stack">
      <p>
        <Link href="/sending-servers">← All sending servers</Link>
      </p>
      <h1 id="page-title">{saved ? saved.name : 'Add a sending server'}</h1>
      <ServerForm key={saved?.id ?? 'new'} server={saved} />
    </section>
  );
}

/** The names the API's error details may use, so they land on their fields. */
function fieldNames(driver: DriverName): Path<ServerFormValues>[] {
  return ['name', 'driver', 'rate', ...driverFields[driver].map((f) => f.path as Path<ServerFormValues>)];
}

/** `patch` plus a null for each saved key it leaves out, so the PATCH (a merge) removes cleared settings. */
function withRemovals(saved: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const removed = Object.keys(saved).filter((key) => !(key in patch));
  return { ...patch, ...Object.fromEntries(removed.map((key) => [key, null])) };
}

/** The `secrets` of a PATCH (a merge): what was typed, and a null for each secret to forget; nothing when neither. */
function secretsPatch(typed: Record<string, unknown>, remove: readonly string[]): { secrets?: Record<string, unknown> } {
  const secrets = { ...Object.fromEntries(remove.map((key) => [key, null])), ...typed };
  return Object.keys(secrets).length > 0 ? { secrets } : {};
}

function ServerForm({ server }: { server: SendingServer | null }) {
  const { api } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const draftKey = `sending-server-${server?.id ?? 'new'}`;
  const [alert, setAlert] = useState<string | null>(null);
  const [savedNote, setSavedNote] = useState<string | null>(null);
  const [makeDefault, setMakeDefault] = useState(false);
  const secretsSet = server?.secretsSet ?? null;
  const resolver = useMemo(() => serverResolver(secretsSet ?? []), [secretsSet]);
  const form = useForm<ServerFormValues>({ mode: 'onTouched', resolver, defaultValues: readDraft(draftKey, formValuesOf(server)) });
  useDraft(draftKey, form.watch, SECRET_PARTS);
  const driver = form.watch('driver');

  // A new driver has other settings: start its fields afresh.
  useEffect(() => {
    const subscription = form.watch((values, { name }) => {
      if (name !== 'driver' || !values.driver) return;
      const fresh = settingsValues(values.driver, null);
      form.setValue('config', fresh.config);
      form.setValue('secrets', fresh.secrets);
      form.clearErrors(['config', 'secrets']);
    });
    return () => subscription.unsubscribe();
  }, [form]);

  const save = useMutation({
    mutationFn: async (values: ServerFormValues) => {
      const config = settingsPart(values.driver, values, 'config');
      const secrets = settingsPart(values.driver, values, 'secrets');
      const common = { name: values.name.trim(), rate: values.rate.trim() || null, domainRates: domainRatesOf(values) };
      const result = server
        ? await api.PATCH('/api/sending-servers/{id}', {
            params: { path: { id: server.id } },
            body: { ...common, config: withRemovals(server.config, config), ...secretsPatch(secrets, values.removeSecrets) },
          })
        : await api.POST('/api/sending-servers', { body: { ...common, driver: values.driver, config, secrets, isDefault: makeDefault } });
      if (result.data) return result.data;
      setAlert(applyApiError(result.error, result.response, fieldNames(values.driver), form.setError));
      return null;
    },
    onSuccess(saved) {
      if (!saved) return;
      clearDraft(draftKey);
      void queryClient.invalidateQueries({ queryKey: ['sending-servers'] });
      if (!server) {
        navigate(`/sending-servers/${saved.id}`);
        return;
      }
      form.reset(formValuesOf(saved));
      setSavedNote('Saved. Validate to try the new settings on the relay.');
    },
    onError: (err) => setAlert(messageOf(err)),
  });

  const onSubmit = form.handleSubmit(
    (values) => {
      setAlert(null);
      setSavedNote(null);
      return save.mutateAsync(values);
    },
    (errors) => setAlert(errors.root?.['settings']?.message ?? null),
  );

  return (
    <>
      <form className="panel stack" onSubmit={onSubmit} noValidate aria-labelledby="server-form-title">
        <h2 id="server-form-title">{server ? 'Settings' : 'New server'}</h2>
        <FormAlert message={alert} />
        <div className="form-grid">
          <FormTextField control={form.control} name="name" label="Name" description="Yours to recognise it, e.g. Postmark broadcasts." />
          <FormSelectField
            control={form.control}
            name="driver"
            label="Driver"
            options={DRIVER_OPTIONS}
            isDisabled={server !== null}
            description={server ? 'To use another driver, add another server.' : driverSettings[driver].description}
          />
        </div>
        <h3>{driverLabels[driver]} settings</h3>
        <DriverSettingsFields control={form.control} driver={driver} secretsSet={secretsSet} />
        {secretsSet && <RemoveSecretsField control={form.control} driver={driver} secretsSet={secretsSet} />}
        <h3>Rates</h3>
        <RateFields control={form.control} />
        {!server && (
          <Checkbox className="checkbox" isSelected={makeDefault} onChange={setMakeDefault}>
            Make this the default server (the first server always is)
          </Checkbox>
        )}
        <div className="actions">
          <Button type="submit" className="button primary" isPending={save.isPending}>
            {save.isPending ? 'Saving…' : server ? 'Save changes' : 'Add server'}
          </Button>
          {savedNote && <span role="status">{savedNote}</span>}
        </div>
      </form>
      {server && <ServerHealth server={server} onResult={(result) => placeProblems(result, form.setError, driver)} />}
    </>
  );
}

/** Puts each problem of a check on the field it names; the rest stay in the list. */
function placeProblems(result: CheckResult, setError: ReturnType<typeof useForm<ServerFormValues>>['setError'], driver: DriverName) {
  for (const problem of result.problems) {
    const field = fieldFor(driver, problem.path);
    if (field) setError(field.path as Path<ServerFormValues>, { type: 'server', message: problem.message });
  }
}

/** The server's last live check and the button that runs a new one. */
function ServerHealth({ server, onResult }: { server: SendingServer; onResult(result: CheckResult): void }) {
  const check = useServerCheck(server.id, onResult);
  return (
    <section className="panel stack" aria-labelledby="health-title">
      <h2 id="health-title">Health</h2>
      <p>
        Last check: <LastCheck check={server.connectionCheck} />
      </p>
      {server.connectionCheck.status === 'failed' && check.result?.source !== 'relay' && (
        <ProblemList problems={server.connectionCheck.problems} label="Problems of the last check" />
      )}
      {server.secretsProblem && <FormAlert message={`The saved secrets cannot be read: ${server.secretsProblem}`} />}
      <p className="hint">
        Validate saves nothing: it checks the saved settings against the driver's rules, then a sender container tries them on the relay
        (a login, or the API's account call) without sending mail.
      </p>
      <div>
        <Button className="button secondary" onPress={check.start} isPending={check.checking}>
          Validate
        </Button>
      </div>
      <CheckOutcome {...check} />
    </section>
  );
}
