// Opens and clicks over time (hours for the first week, then days), by people and by
// machines, as stacked bars (recharts), with the same numbers as a table for screen readers.
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { formatCount } from '../../../format';
import { MACHINE_COLOR, PEOPLE_COLOR } from './engagement-chart';
import { timelineRows, type TimelineRow, type TimePoint } from './timeline';

const hour = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const bucketLabel = (row: Pick<TimelineRow, 'at' | 'size'>) => (row.size === 'hour' ? hour : day).format(new Date(row.at));

export function EngagementTimeline({ points }: { points: readonly TimePoint[] }) {
  if (points.length === 0) return <p>No opens or clicks yet.</p>;
  const rows = timelineRows(points).map((row) => ({ ...row, label: bucketLabel(row) }));
  return (
    <>
      <div className="chart-pair">
        <TimeChart title="Opens over time" rows={rows} people="openedPeople" machines="openedMachines" />
        <TimeChart title="Clicks over time" rows={rows} people="clickedPeople" machines="clickedMachines" />
      </div>
      <details className="table-alternative">
        <summary>Opens and clicks over time as a table</summary>
        <table className="table">
          <caption>Hits per {points[0]?.size === 'day' ? 'day' : 'hour'} (days after the first week)</caption>
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col" className="number">Opens by people</th>
              <th scope="col" className="number">Opens by machines</th>
              <th scope="col" className="number">Clicks by people</th>
              <th scope="col" className="number">Clicks by machines</th>
            </tr>
          </thead>
          <tbody>
            {points.map((point) => (
              <tr key={point.at}>
                <th scope="row">{bucketLabel(point)}</th>
                <td className="number">{formatCount(point.opened.humanTotal)}</td>
                <td className="number">{formatCount(point.opened.total - point.opened.humanTotal)}</td>
                <td className="number">{formatCount(point.clicked.humanTotal)}</td>
                <td className="number">{formatCount(point.clicked.total - point.clicked.humanTotal)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}

type Series = 'openedPeople' | 'openedMachines' | 'clickedPeople' | 'clickedMachines';

function TimeChart({ title, rows, people, machines }: { title: string; rows: (TimelineRow & { label: string })[]; people: Series; machines: Series }) {
  return (
    <figure className="chart">
      <h4>{title}</h4>
      <BarChart data={rows} responsive style={{ width: '100%', height: 220 }} margin={{ top: 5, right: 10, bottom: 5, left: 0 }} desc={`${title}, by people and by machines; the same numbers are in the table below.`}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" minTickGap={24} />
        <YAxis allowDecimals={false} width={40} />
        <Tooltip />
        <Legend />
        <Bar dataKey={people} name="By people" stackId="who" fill={PEOPLE_COLOR} isAnimationActive={false} />
        <Bar dataKey={machines} name="By machines" stackId="who" fill={MACHINE_COLOR} isAnimationActive={false} />
      </BarChart>
    </figure>
  );
}
