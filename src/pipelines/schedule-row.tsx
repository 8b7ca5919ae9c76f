import * as React from 'react';

import { IPipelineSchedule, PipelinesApi } from './api';
import { describeCron } from './cron-words';
import { ScheduleActions } from './schedule-actions';
import { ScheduleNextFire } from './schedule-next-fire';

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
  const toggle = async (): Promise<void> =>
    onChange(
      await api.setScheduleEnabled(schedule.schedule_id, !schedule.enabled)
    );
  const remove = async (): Promise<void> => {
    await api.deleteSchedule(schedule.schedule_id);
    onDeleted(schedule.schedule_id);
  };

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
        <ScheduleNextFire
          enabled={schedule.enabled}
          nextFireTime={schedule.next_fire_time}
          now={now}
        />
      </td>
      <td className="jp-mlops-schedule-policy">
        {schedule.policy}
        {(schedule.queued ?? 0) > 0 && (
          <small> ({schedule.queued} queued)</small>
        )}
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
      <ScheduleActions
        name={schedule.name}
        enabled={schedule.enabled}
        onToggle={toggle}
        onDelete={remove}
      />
    </tr>
  );
}
