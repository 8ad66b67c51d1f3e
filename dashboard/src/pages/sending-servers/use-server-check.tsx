// "Validate" for a sending server: the API checks the settings against the driver's schema
// at once, then a sender container runs the driver's own check on the relay (the edge
// cannot reach relays). So: ask without waiting, then poll the server until its checkedAt
// moves, and show what came back.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSession } from '../../api/session';
import { dataOf, messageOf } from '../../api/api-call';
import { formatTime } from '../../format';
import type { SendingServer } from './server-form-model';

export interface CheckProblem {
  path: string;
  message: string;
}

export interface CheckResult {
  ok: boolean;
  problems: CheckProblem[];
  /** `schema`: refused before any relay was tried (not kept as the server's last check). */
  source: 'schema' | 'relay' | 'timeout';
  /** Why there is no verdict (no sender answered). */
  note?: string;
}

const POLL_MS = 1000;
/** After this long without an answer no sender container is running, or none can reach the database. */
export const GIVE_UP_MS = 60_000;

/** Starts a live check of server `id` and follows it to its result. */
export function useServerCheck(id: number, onResult?: (result: CheckResult) => void) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [run, setRun] = useState<{ before: string | null; startedAt: number } | null>(null);
  const [result, setResult] = useState<CheckResult | null>(null);

  function finish(next: CheckResult) {
    setRun(null);
    setResult(next);
    onResult?.(next);
    void queryClient.invalidateQueries({ queryKey: ['sending-servers'] });
  }

  const validate = useMutation({
    mutationFn: async () => dataOf(await api.POST('/api/sending-servers/{id}/validate', { params: { path: { id }, query: { wait: 0 } } })),
    onMutate: () => setResult(null),
    onSuccess(answer) {
      // Problems now are the schema's: no sender was asked.
      if (answer.connection.status === 'pending' && answer.problems.length === 0) setRun({ before: answer.connection.checkedAt, startedAt: Date.now() });
      else finish({ ok: answer.ok, problems: answer.problems, source: 'schema' });
    },
  });

  const poll = useQuery({
    queryKey: ['sending-server-check', id, run?.startedAt],
    enabled: run !== null,
    refetchInterval: POLL_MS,
    queryFn: async (): Promise<SendingServer> => dataOf(await api.GET('/api/sending-servers/{id}', { params: { path: { id } } })),
  });

  useEffect(() => {
    if (!run || !poll.data) return;
    const check = poll.data.connectionCheck;
    if (check.status !== 'pending' && check.checkedAt !== run.before) finish({ ok: check.status === 'ok', problems: check.problems, source: 'relay' });
    else if (Date.now() - run.startedAt > GIVE_UP_MS) {
      finish({ ok: false, problems: [], source: 'timeout', note: 'No sender container answered within a minute: check that the sender plane is running, then validate again.' });
    }
    // Each fetch (dataUpdatedAt) is a new look, even when the data is unchanged.
  }, [run, poll.dataUpdatedAt]);

  return {
    start: () => validate.mutate(),
    checking: validate.isPending || run !== null,
    result,
    error: validate.error ? messageOf(validate.error) : poll.error ? messageOf(poll.error) : null,
  };
}

/** What a server's last live check says, for the list and the server's page. */
export function LastCheck({ check }: { check: SendingServer['connectionCheck'] }) {
  if (check.status === 'never') return <span className="muted">Never checked</span>;
  if (check.status === 'pending') return <span className="badge pending">Checking…</span>;
  return (
    <span>
      <span className={`badge ${check.status}`}>{check.status === 'ok' ? 'Passed' : 'Failed'}</span> <span className="muted">{formatTime(check.checkedAt)}</span>
    </span>
  );
}

/** The problems of a check, each with the setting it is about. */
export function ProblemList({ problems, label }: { problems: readonly CheckProblem[]; label: string }) {
  if (problems.length === 0) return null;
  return (
    <ul className="problems" aria-label={label}>
      {problems.map((p) => (
        <li key={`${p.path}:${p.message}`}>
          {p.path ? <code>{p.path}</code> : null} {p.message}
        </li>
      ))}
    </ul>
  );
}

/** The outcome of the check this screen started: checking, passed, or what to fix. */
export function CheckOutcome({ checking, result, error }: { checking: boolean; result: CheckResult | null; error: string | null }) {
  return (
    <div role="status" aria-live="polite">
      {checking && <p>Checking with the relay…</p>}
      {error && <p className="problems">{error}</p>}
      {!checking && result?.ok && <p><span className="badge ok">Passed</span> The relay accepted the settings.</p>}
      {!checking && result && !result.ok && (
        <>
          <p><span className="badge failed">Failed</span> {result.note ?? 'Fix these, save, and validate again:'}</p>
          <ProblemList problems={result.problems} label="Problems found" />
        </>
      )}
    </div>
  );
}
