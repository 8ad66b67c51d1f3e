// Messages opened and clicked by people and by machines, as stacked bars (recharts). The
// engagement table beside it holds the same numbers for screen readers and keyboard users.
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { CampaignStats } from '../page/campaign-status';

export const PEOPLE_COLOR = '#1d4ed8';
export const MACHINE_COLOR = '#8a5a00';

export function EngagementChart({ stats }: { stats: CampaignStats }) {
  const data = [
    { name: 'Opened', people: stats.opened.human.unique, machines: stats.opened.machine.unique },
    { name: 'Clicked', people: stats.clicked.human.unique, machines: stats.clicked.machine.unique },
  ];
  return (
    <figure className="chart" aria-describedby="engagement-chart-caption">
      <BarChart
        layout="vertical"
        data={data}
        responsive
        style={{ width: '100%', height: 180 }}
        margin={{ top: 5, right: 20, bottom: 5, left: 10 }}
        desc="Messages opened and clicked, by people and by machines"
      >
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" allowDecimals={false} />
        <YAxis type="category" dataKey="name" width={70} />
        <Tooltip />
        <Legend />
        <Bar dataKey="people" name="By people" stackId="who" fill={PEOPLE_COLOR} isAnimationActive={false} />
        <Bar dataKey="machines" name="By machines" stackId="who" fill={MACHINE_COLOR} isAnimationActive={false} />
      </BarChart>
      <figcaption id="engagement-chart-caption" className="hint">
        Messages opened and clicked, by people and by machines. The same numbers are in the table “Opens and clicks”.
      </figcaption>
    </figure>
  );
}
