// One import: a live progress bar while a sender works through the file (polled), then the
// report: how many rows did what, and each rejected row with its reason.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Label, Link, ProgressBar } from 'react-aria-components';
import { useParams } from 'react-router';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { NotFoundPage } from '../not-found-page';
import { callFailed, messageOf } from '../../api/api-call';
import { formatCount, formatTime } from '../../format';
import type { ImportJob } from './import-upload';
import { ImportRejects } from './import-rejects';

const POLL_MS = 1000;
const STATUS_TEXT: Record<ImportJob['status'], string> = {
  pending: 'Waiting for a sender to start it…',
  running: 'Importing…',
  done: 'Finished.',
  failed: 'Failed.',
  cancelled: 'Cancelled.',
};

const inProgress = (job: ImportJob | null | undefined) => job?.status === 'pending' || job?.status === 'running';

export function ImportJobPage() {
  const id = Number(useParams().id);
  const { api } = useSession();
  const job = useQuery({
    queryKey: ['import', id],
    queryFn: async () => {
      const { data, error, response } = await api.GET('/api/subscribers/import/{id}', { params: { path: { id } } });
      if (response.status === 404) return null;
      if (!data) callFailed(error, response);
      return data;
    },
    refetchInterval: (query) => (inProgress(query.state.data) ? POLL_MS : false),
  });
  if (!Number.isInteger(id) || id <= 0 || job.data === null) return <NotFoundPage />;
  if (job.isPending) return <p role="status">Loading the import…</p>;
  if (job.isError) return <FormAlert message={job.error.message} />;
  const j = job.data;
  return (
    <section aria-labelledby="page-title">
      <p className="breadcrumb">
        <Link href="/subscribers">Subscribers</Link> › <Link href="/subscribers/import">Import</Link>
      </p>
      <h1 id="page-title">Import of {j.fileName || `file ${j.id}`}</h1>
      <div className="panel">
        <ImportProgress job={j} />
        {j.error && <p className={j.status === 'failed' ? 'form-alert' : 'hint'} role={j.status === 'failed' ? 'alert' : undefined}>{j.error}</p>}
        {inProgress(j) && <CancelImport id={j.id} />}
        <ImportCounts job={j} />
      </div>
      {j.rejectedRows > 0 && <ImportRejects job={j} />}
      {!inProgress(j) && (
        <p className="actions">
          <Link href={j.listIds.length === 1 ? `/subscribers?list=${j.listIds[0]}` : '/subscribers'} className="button primary">See the subscribers</Link>
          <Link href="/subscribers/import" className="button secondary">Import another file</Link>
        </p>
      )}
    </section>
  );
}

function ImportProgress({ job }: { job: ImportJob }) {
  // Until a sender has counted the rows, the total is unknown.
  const counted = job.totalRows > 0;
  return (
    <ProgressBar
      className="progress"
      value={counted ? job.processedRows : 0}
      maxValue={counted ? job.totalRows : 1}
      isIndeterminate={!counted && inProgress(job)}
      valueLabel={counted ? `${formatCount(job.processedRows)} of ${formatCount(job.totalRows)} rows` : undefined}
    >
      {({ percentage, valueText }) => (
        <>
          <div className="progress-labels">
            <Label>{STATUS_TEXT[job.status]}</Label>
            <span>{valueText}</span>
          </div>
          <div className="progress-track">
            <div className="progress-fill" style={{ width: `${job.status === 'done' ? 100 : (percentage ?? 0)}%` }} />
          </div>
        </>
      )}
    </ProgressBar>
  );
}

function ImportCounts({ job }: { job: ImportJob }) {
  return (
    <>
      <dl className="counts">
        <div><dt>New</dt><dd>{formatCount(job.insertedRows)}</dd></div>
        <div><dt>Updated</dt><dd>{formatCount(job.updatedRows)}</dd></div>
        <div><dt>Already here, left as they were</dt><dd>{formatCount(job.skippedRows)}</dd></div>
        <div><dt>Rejected</dt><dd>{formatCount(job.rejectedRows)}</dd></div>
      </dl>
      <p className="hint">
        Uploaded {formatTime(job.createdAt)}
        {job.startedAt && `; started ${formatTime(job.startedAt)}`}
        {job.finishedAt && `; ended ${formatTime(job.finishedAt)}`}.
      </p>
    </>
  );
}

function CancelImport({ id }: { id: number }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: async () => {
      const { data, error, response } = await api.DELETE('/api/subscribers/import/{id}', { params: { path: { id } } });
      if (!data) callFailed(error, response);
      return data;
    },
    onSuccess: (job) => queryClient.setQueryData(['import', id], job),
  });
  return (
    <>
      {cancel.isError && <FormAlert message={messageOf(cancel.error)} />}
      <Button className="button secondary" isPending={cancel.isPending} onPress={() => cancel.mutate()}>
        Cancel import
      </Button>
      <p className="hint">Rows already imported stay.</p>
    </>
  );
}
