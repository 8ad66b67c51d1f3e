// The rows an import turned away, each with its spreadsheet row number and the reason, and
// the same as a CSV file to fix and import again.
import { useEffect, useMemo } from 'react';
import { formatCount } from '../../format';
import type { ImportJob } from './import-upload';

/** The rejected rows table, with its download. */
export function ImportRejects({ job }: { job: ImportJob }) {
  const href = useMemo(() => URL.createObjectURL(new Blob([rejectsCsv(job.rejects)], { type: 'text/csv' })), [job.rejects]);
  useEffect(() => () => URL.revokeObjectURL(href), [href]);
  const shown = job.rejects.length;
  return (
    <div className="panel" role="region" aria-labelledby="rejects-title">
      <div className="page-heading">
        <h2 id="rejects-title">Rejected rows</h2>
        <a className="button secondary" href={href} download={`import-${job.id}-rejected-rows.csv`}>
          Download as CSV
        </a>
      </div>
      {job.rejectedRows > shown && <p className="hint">The first {formatCount(shown)} of {formatCount(job.rejectedRows)}.</p>}
      <table className="table">
        <thead>
          <tr>
            <th scope="col" className="number">Row</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {job.rejects.map((r) => (
            <tr key={r.row}>
              <td className="number">{r.row}</td>
              <td>{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">Row numbers are as a spreadsheet shows them: the header is row 1.</p>
    </div>
  );
}

function rejectsCsv(rejects: ImportJob['rejects']): string {
  const quote = (text: string) => `"${text.replaceAll('"', '""')}"`;
  return ['row,reason', ...rejects.map((r) => `${r.row},${quote(r.reason)}`)].join('\r\n') + '\r\n';
}
