// Opens and clicks over time for the charts: the API's buckets (only those with hits) with
// the empty buckets between them filled in, so equal distances mean equal times, and each
// bucket split into hits by people and by machines.
export interface BucketTally {
  total: number;
  unique: number;
  humanTotal: number;
  humanUnique: number;
}

export interface TimePoint {
  at: string;
  size: 'hour' | 'day';
  opened: BucketTally;
  clicked: BucketTally;
}

export interface TimelineRow {
  at: string;
  size: 'hour' | 'day';
  openedPeople: number;
  openedMachines: number;
  clickedPeople: number;
  clickedMachines: number;
}

const SIZE_MS = { hour: 3_600_000, day: 86_400_000 } as const;
/** Past this many buckets the gaps are left: the chart would not show single bars anyway. */
const MAX_ROWS = 500;

function toRow(point: TimePoint): TimelineRow {
  return {
    at: point.at,
    size: point.size,
    openedPeople: point.opened.humanTotal,
    openedMachines: point.opened.total - point.opened.humanTotal,
    clickedPeople: point.clicked.humanTotal,
    clickedMachines: point.clicked.total - point.clicked.humanTotal,
  };
}

function emptyRow(atMs: number, size: TimePoint['size']): TimelineRow {
  return { at: new Date(atMs).toISOString(), size, openedPeople: 0, openedMachines: 0, clickedPeople: 0, clickedMachines: 0 };
}

/** The points as chart rows, oldest first, with a zero row for each empty bucket between two points. */
export function timelineRows(points: readonly TimePoint[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  points.forEach((point, i) => {
    rows.push(toRow(point));
    const next = points[i + 1];
    if (!next) return;
    const step = SIZE_MS[point.size];
    for (let at = Date.parse(point.at) + step; at + step <= Date.parse(next.at) && rows.length < MAX_ROWS; at += step) {
      rows.push(emptyRow(at, point.size));
    }
  });
  return rows;
}
