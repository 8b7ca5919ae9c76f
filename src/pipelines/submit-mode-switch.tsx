import * as React from 'react';

/** Run the pipeline now, or on a schedule. */
export type SubmitMode = 'run' | 'schedule';

/** The radio buttons that choose between running now and scheduling. */
export function SubmitModeSwitch(props: {
  mode: SubmitMode;
  onChange: (mode: SubmitMode) => void;
}): JSX.Element {
  const { mode } = props;
  return (
    <div className="jp-mlops-submit-mode" role="radiogroup" aria-label="When">
      <label>
        <input
          type="radio"
          name="mode"
          value="run"
          checked={mode === 'run'}
          onChange={() => props.onChange('run')}
        />{' '}
        Run now
      </label>
      <label>
        <input
          type="radio"
          name="mode"
          value="schedule"
          checked={mode === 'schedule'}
          onChange={() => props.onChange('schedule')}
        />{' '}
        Schedule
      </label>
    </div>
  );
}
