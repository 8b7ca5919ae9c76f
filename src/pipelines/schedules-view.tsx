import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { IPipelineSchedule, PipelinesApi } from './api';
import { ScheduleTable } from './schedule-table';

export interface ISchedulesViewProps {
  api: PipelinesApi;
  openRun: (runId: string) => void;
  /** Emitted when a schedule was created elsewhere (the submit form). */
  changed?: ISignal<unknown, void>;
  /** How often to read the list again (fire times move, runs start). */
  refreshMs?: number;
}

const REFRESH_MS = 5000;

/**
 * Recurring pipeline runs: every schedule on the server with when it fires
 * next and what it started last; pause, resume and delete.
 */
export function SchedulesView(props: ISchedulesViewProps): JSX.Element {
  const { api, openRun, changed, refreshMs = REFRESH_MS } = props;
  const [schedules, setSchedules] = React.useState<IPipelineSchedule[] | null>(
    null
  );
  const [now, setNow] = React.useState(() => Date.now());
  const [error, setError] = React.useState<string | null>(null);

  const refresh = React.useCallback(async () => {
    try {
      const listed = await api.listSchedules();
      setSchedules(listed);
      setNow(Date.now());
      setError(null);
    } catch (reason) {
      setError((reason as Error).message);
    }
  }, [api]);

  React.useEffect(() => {
    void refresh();
    const timer = window.setInterval(() => void refresh(), refreshMs);
    const onChanged = (): void => void refresh();
    changed?.connect(onChanged);
    return () => {
      window.clearInterval(timer);
      changed?.disconnect(onChanged);
    };
  }, [refresh, refreshMs, changed]);

  const replace = (updated: IPipelineSchedule): void =>
    setSchedules(previous =>
      (previous ?? []).map(s =>
        s.schedule_id === updated.schedule_id ? updated : s
      )
    );
  const drop = (scheduleId: string): void =>
    setSchedules(previous =>
      (previous ?? []).filter(s => s.schedule_id !== scheduleId)
    );

  return (
    <div className="jp-mlops-schedules">
      <div className="jp-mlops-schedules-header">
        <h2>Pipeline schedules</h2>
        <button
          className="jp-mlops-button jp-mlops-refresh"
          onClick={() => void refresh()}
        >
          Refresh
        </button>
      </div>
      {error && <div className="jp-mlops-error">{error}</div>}
      {schedules === null ? (
        !error && <p>Loading…</p>
      ) : schedules.length === 0 ? (
        <p className="jp-mlops-hint">
          No schedules yet. Open a pipeline in the Pipelines panel and choose
          “Schedule”, or call <code>mlops.pipelines.schedule(...)</code> in a
          notebook.
        </p>
      ) : (
        <ScheduleTable
          api={api}
          schedules={schedules}
          now={now}
          openRun={openRun}
          onChange={replace}
          onDeleted={drop}
        />
      )}
    </div>
  );
}
