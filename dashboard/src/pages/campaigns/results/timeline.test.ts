// The time series as chart rows: gaps filled, people apart from machines.
import { describe, expect, it } from 'vitest';
import { timelineRows, type TimePoint } from './timeline';

const tally = (total: number, humanTotal: number) => ({ total, unique: total, humanTotal, humanUnique: humanTotal });
const point = (at: string, size: 'hour' | 'day', opened = tally(0, 0), clicked = tally(0, 0)): TimePoint => ({ at, size, opened, clicked });

describe('timelineRows', () => {
  it('splits each bucket into people and machines', () => {
    expect(timelineRows([point('2026-03-01T09:00:00.000Z', 'hour', tally(10, 4), tally(3, 3))])).toEqual([
      { at: '2026-03-01T09:00:00.000Z', size: 'hour', openedPeople: 4, openedMachines: 6, clickedPeople: 3, clickedMachines: 0 },
    ]);
  });

  it('fills the empty hours between two buckets, and nothing when they touch', () => {
    const rows = timelineRows([
      point('2026-03-01T09:00:00.000Z', 'hour', tally(1, 1)),
      point('2026-03-01T10:00:00.000Z', 'hour', tally(1, 1)),
      point('2026-03-01T13:00:00.000Z', 'hour', tally(2, 0)),
    ]);
    expect(rows.map((r) => [r.at.slice(11, 16), r.openedPeople + r.openedMachines])).toEqual([
      ['09:00', 1],
      ['10:00', 1],
      ['11:00', 0],
      ['12:00', 0],
      ['13:00', 2],
    ]);
  });

  it('fills days between day buckets', () => {
    const rows = timelineRows([point('2026-03-08T00:00:00.000Z', 'day', tally(1, 1)), point('2026-03-11T00:00:00.000Z', 'day', tally(1, 1))]);
    expect(rows.map((r) => r.at.slice(0, 10))).toEqual(['2026-03-08', '2026-03-09', '2026-03-10', '2026-03-11']);
  });
});
