// The last imports, newest first, each leading to its report.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-aria-components';
import { errorMessage } from '../../api/api-error';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { formatTime } from '../../format';

const SHOWN = 10;
const STATUS_LABELS = { pending: 'Waiting', running: 'Running', done: 'Done', failed: 'Failed', cancelled: 'Cancelled' } as const;

export function RecentImports() {
  const { api } = useSession();
  const imports = useQuery({
    queryKey: ['imports'],
    queryFn: async () => {
      const { data, error, response } = await api.GET('/api/subscribers/imports', { params: { query: { limit: SHOWN } } });
      if (!data) throw new Error(errorMessage(error, response));
      return data.data;
    },
  });
  if (imports.isError) return <FormAlert message={imports.error.message} />;
  if (!imports.data || imports.data.length === 0) return null;
  return (
    <table className="table">
      <caption>Recent imports</caption>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Started</th>
          <th scope="col">Status</th>
          <th scope="col" className="number">New</th>
          <th scope="col" className="number">Updated</th>
          <th scope="col" className="number">Rejected</th>
        </tr>
      </thead>
      <tbody>
        {imports.data.map((job) => (
          <tr key={job.id}>
            <th scope="row">
              <Link href={`/subscribers/imports/${job.id}`}>{job.fileName || `Import ${job.id}`}</Link>
            </th>
            <td>{formatTime(job.createdAt)}</td>
            <td>{STATUS_LABELS[job.status]}</td>
            <td className="number">{job.insertedRows}</td>
            <td className="number">{job.updatedRows}</td>
            <td className="number">{job.rejectedRows}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
