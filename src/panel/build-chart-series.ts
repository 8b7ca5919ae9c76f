import type { IRun } from '../api';
import { aggregateSeries } from '../charts/aggregate';
import { seriesFromHistory } from '../charts/history';
import { seriesColor } from '../charts/palette';
import type { IChartSeries } from '../charts/types';
import type { IChartOptions } from './chart-controls';
import { groupRuns, runLabel } from './compare-logic';

/**
 * Series for one chart: a line per run and key (labelled by run when the
 * chart has one key, by key when it has one run), or with grouping one line
 * per group with its band. A chart of one key draws each run in its colour
 * from `colors` where given (the compare view's shared legend).
 */
export function buildSeries(
  histories: { run: IRun; key: string; history: { points: any[] } }[],
  runs: IRun[],
  keys: string[],
  options: IChartOptions,
  colors?: ReadonlyMap<string, string>
): IChartSeries[] {
  const label = (run: IRun, key: string) =>
    keys.length === 1
      ? runLabel(run)
      : runs.length === 1
        ? key
        : `${runLabel(run)} · ${key}`;
  const byRun = new Map<string, IChartSeries[]>();
  histories.forEach(({ run, key, history }) => {
    const index = runs.indexOf(run) * keys.length + keys.indexOf(key);
    const color =
      keys.length === 1 && colors?.get(run.info.run_id)
        ? colors.get(run.info.run_id)!
        : seriesColor(index);
    const series = seriesFromHistory(
      label(run, key),
      history.points,
      options.xAxis,
      color
    );
    const list = byRun.get(run.info.run_id) ?? [];
    list.push({ ...series, label: series.label });
    byRun.set(run.info.run_id, list);
  });
  if (!options.groupBy) {
    return histories.map(({ run, key }) =>
      byRun.get(run.info.run_id)!.find(s => s.label === label(run, key))!
    );
  }
  const out: IChartSeries[] = [];
  groupRuns(runs, options.groupBy).forEach((group, groupIndex) => {
    keys.forEach((key, keyIndex) => {
      const members = group.runs
        .map(run =>
          byRun.get(run.info.run_id)?.find(s => s.label === label(run, key))
        )
        .filter((s): s is IChartSeries => s !== undefined)
        // A group line is the spread of values, not of downsampling buckets.
        .map(({ min, max, ...rest }) => rest);
      if (members.length === 0) {
        return;
      }
      const name = `${options.groupBy}=${group.value} (${members.length})`;
      out.push(
        aggregateSeries(
          members,
          keys.length === 1 ? name : `${name} · ${key}`,
          options.xAxis,
          options.band,
          seriesColor(groupIndex * keys.length + keyIndex)
        )
      );
    });
  });
  return out;
}
