import * as React from 'react';

import type { IPipelineSchedule, PipelinesApi } from './api';
import { ScheduleRow } from './schedule-row';

/** The schedules, one row each, with their actions. */
export function ScheduleTable(props: {
  api: PipelinesApi;
  schedules: IPipelineSchedule[];
  now: number;
  openRun: (runId: string) => void;
  onChange: (schedule: IPipelineSchedule) => void;
  onDeleted: (scheduleId: string) => void;
}): JSX.Element {
  return (
    <table className="jp-mlops-schedule-table">
      <thead>
        <tr>
          <th>Schedule</th>
          <th>When (cron, UTC)</th>
          <th>Next run (your time)</th>
          <th>Policy</th>
          <th>State</th>
          <th>Last run</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {props.schedules.map(schedule => (
          <ScheduleRow
            key={schedule.schedule_id}
            api={props.api}
            schedule={schedule}
            now={props.now}
            openRun={props.openRun}
            onChange={props.onChange}
            onDeleted={props.onDeleted}
          />
        ))}
      </tbody>
    </table>
  );
}
