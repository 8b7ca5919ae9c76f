import * as React from 'react';

import { IPipelineSchedule, PipelinesApi } from './api';
import { describeCron, formatLocalTime, formatTimeUntil } from './cron-words';

export interface IScheduleRowProps {
  api: PipelinesApi;
  schedule: IPipelineSchedule;
  now: number;
  openRun: (runId: string) => void;
  onChange: (schedule: IPipelineSchedule) => void;
  onDeleted: (scheduleId: string) => void;
}

/**
 * One schedule in the table: what and when it runs, its last run, and Pause or
 * Resume and Delete (asked once more before it goes).
 */
export function ScheduleRow(props: IScheduleRowProps): JSX.Element {
  const { api, schedule, now, openRun, onChange, onDeleted } = props;
  const [confirming, setConfirming] = React.useState(false);
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);

  const act = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (reason) {
      setError((reason as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const toggle = (): Promise<void> =>
    act(async () =>
      onChange(
        await api.setScheduleEnabled(schedule.schedule_id, !schedule.enabled)
      )
    );
  const remove = (): Promise<void> =>
    act(async () => {
      await api.deleteSchedule(schedule.schedule_id);
      onDeleted(schedule.schedule_id);
    });

  const words = describeCron(schedule.cron);
  return (
    <tr
      className="jp-mlops-schedule-row"
      data-schedule-id={schedule.schedule_id}
      data-enabled={String(schedule.enabled)}
    >
      <td>
        <span className="jp-mlops-schedule-name">{schedule.name}</span>
        {schedule.pipeline_name !== schedule.name && (
          <small className="jp-mlops-schedule-pipeline">
            {schedule.pipeline_name}
          </small>
        )}
      </td>
      <td className="jp-mlops-schedule-cron">
        {words && <span>{words}</span>}
        <code>{schedule.cron}</code>
      </td>
      <td className="jp-mlops-schedule-next">
        {schedule.enabled ? (
          <>
            <time
              dateTime={new Date(schedule.next_fire_time).toISOString()}
              title={`${new Date(schedule.next_fire_time).toISOString().slice(0, 16).replace('T', ' ')} UTC`}
            >
              {formatLocalTime(schedule.next_fire_time)}
            </time>
            <small>{formatTimeUntil(schedule.next_fire_time, now)}</small>
          </>
        ) : (
          '—'
        )}
      </td>
      <td className="jp-mlops-schedule-policy">
        {schedule.policy}
        {schedule.queued > 0 && <small> ({schedule.queued} queued)</small>}
      </td>
      <td>
        <span
          className={`jp-mlops-state jp-mlops-schedule-state ${
            schedule.enabled ? 'jp-mlops-schedule-enabled' : ''
          }`}
        >
          {schedule.enabled ? 'enabled' : 'paused'}
        </span>
      </td>
      <td className="jp-mlops-schedule-last-run">
        {schedule.last_run_id ? (
          <button
            className="jp-mlops-link"
            title="Open the run it started last"
            onClick={() => openRun(schedule.last_run_id as string)}
          >
            {schedule.last_run_id.slice(0, 8)}
          </button>
        ) : (
          <small>none yet</small>
        )}
      </td>
      <td className="jp-mlops-schedule-actions">
        {confirming ? (
          <span className="jp-mlops-confirm">
            Delete “{schedule.name}”? Its runs stay.
            <button
              className="jp-mlops-button jp-mod-warn jp-mlops-confirm-delete"
              disabled={busy}
              onClick={() => void remove()}
            >
              Delete
            </button>
            <button
              className="jp-mlops-button jp-mlops-keep"
              onClick={() => setConfirming(false)}
            >
              Keep
            </button>
          </span>
        ) : (
          <>
            <button
              className="jp-mlops-button jp-mlops-toggle-schedule"
              disabled={busy}
              onClick={() => void toggle()}
            >
              {schedule.enabled ? 'Pause' : 'Resume'}
            </button>
            <button
              className="jp-mlops-button jp-mlops-delete-schedule"
              disabled={busy}
              onClick={() => setConfirming(true)}
            >
              Delete
            </button>
          </>
        )}
        {error && (
          <div className="jp-mlops-error" role="alert">
            {error}
          </div>
        )}
      </td>
    </tr>
  );
}
