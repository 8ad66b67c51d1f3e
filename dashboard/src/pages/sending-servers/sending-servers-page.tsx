// Sending servers: every relay with its driver, rates, default flag and last live check,
// and the actions on each (validate, make default, delete).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Button, Link } from 'react-aria-components';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { dataOf, ensureOk, messageOf } from '../../api/api-call';
import { ConfirmButton } from '../../components/confirm-button';
import { driverLabels, type DriverName } from './driver-fields';
import { rateText, type SendingServer } from './server-form-model';
import { CheckOutcome, GIVE_UP_MS, LastCheck, ProblemList, useServerCheck } from './use-server-check';

/** The list query of the sending servers. */
function useSendingServers() {
  const { api } = useSession();
  const pendingSince = useRef<number | null>(null);
  return useQuery({
    queryKey: ['sending-servers'],
    queryFn: async () => dataOf(await api.GET('/api/sending-servers', { params: { query: { limit: 200 } } })),
    // A check asked elsewhere (another tab, the API) shows its answer here too; past
    // GIVE_UP_MS no sender container is answering, so stop asking.
    refetchInterval: (query) => {
      if (!query.state.data?.data.some((s) => s.connectionCheck.status === 'pending')) {
        pendingSince.current = null;
        return false;
      }
      pendingSince.current ??= Date.now();
      return Date.now() - pendingSince.current < GIVE_UP_MS ? 2000 : false;
    },
  });
}

export function SendingServersPage() {
  const servers = useSendingServers();
  return (
    <section aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title">Sending servers</h1>
        <Link href="/sending-servers/new" className="button primary">
          Add a server
        </Link>
      </div>
      <p className="hint">
        The relays Edgepost sends through. Campaigns use the default unless they name others. "Validate" has a sender container try the
        settings on the relay (no mail is sent).
      </p>
      {servers.isPending && <p role="status">Loading servers…</p>}
      {servers.isError && <FormAlert message={messageOf(servers.error)} />}
      {servers.data && servers.data.data.length === 0 && <p>No sending servers yet: add the first one, and it becomes the default.</p>}
      {servers.data && servers.data.data.length > 0 && (
        <table className="table">
          <caption className="visually-hidden">Sending servers</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Driver</th>
              <th scope="col">Rate</th>
              <th scope="col">Domain rates</th>
              <th scope="col">Last check</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {servers.data.data.map((server) => (
              <ServerRow key={server.id} server={server} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ServerRow({ server }: { server: SendingServer }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const check = useServerCheck(server.id);
  const [error, setError] = useState<string | null>(null);
  const makeDefault = useMutation({
    mutationFn: async () => dataOf(await api.PATCH('/api/sending-servers/{id}', { params: { path: { id: server.id } }, body: { isDefault: true } })),
    onMutate: () => setError(null),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['sending-servers'] }),
    onError: (err) => setError(messageOf(err)),
  });
  const domainRates = Object.entries(server.domainRates);
  return (
    <tr>
      <th scope="row">
        <Link href={`/sending-servers/${server.id}`}>{server.name}</Link> {server.isDefault && <span className="badge">Default</span>}
      </th>
      <td>{driverLabels[server.driver as DriverName] ?? server.driver}</td>
      <td>{server.rate ? rateText(server.rate) : <span className="muted">Unthrottled</span>}</td>
      <td>
        {domainRates.length === 0 ? (
          <span className="muted">None</span>
        ) : (
          domainRates.map(([domain, rate]) => (
            <div key={domain}>
              {domain}: {rateText(rate)}
            </div>
          ))
        )}
      </td>
      <td>
        <LastCheck check={server.connectionCheck} />
        {server.connectionCheck.status === 'failed' && <ProblemList problems={server.connectionCheck.problems} label={`Problems of ${server.name}`} />}
        {server.secretsProblem && <p className="problems">{server.secretsProblem}</p>}
        {/* The relay's answer shows as the last check above; only what never reached a relay shows here. */}
        {(check.checking || check.error || (check.result && check.result.source !== 'relay')) && <CheckOutcome {...check} />}
        <FormAlert message={error} />
      </td>
      <td>
        <div className="actions">
          <Button className="button secondary small" onPress={check.start} isPending={check.checking} aria-label={`Validate ${server.name}`}>
            Validate
          </Button>
          {!server.isDefault && (
            <Button className="button secondary small" onPress={() => makeDefault.mutate()} isPending={makeDefault.isPending} aria-label={`Make ${server.name} the default`}>
              Make default
            </Button>
          )}
          <ConfirmButton
            small
            label="Delete"
            ariaLabel={`Delete ${server.name}`}
            title={`Delete ${server.name}?`}
            confirmLabel="Delete server"
            onConfirm={async () => {
              ensureOk(await api.DELETE('/api/sending-servers/{id}', { params: { path: { id: server.id } } }));
              await queryClient.invalidateQueries({ queryKey: ['sending-servers'] });
            }}
          >
            <p>Its settings and credentials are removed. {server.isDefault ? 'Another server becomes the default.' : ''}</p>
          </ConfirmButton>
        </div>
      </td>
    </tr>
  );
}
