import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { StatusBadge } from '../components/status-badge';
import type { IRunFamily } from './use-run-family';

export interface IRunChildrenProps {
  family: IRunFamily;
  onOpenRun: (runId: string) => void;
  trans: TranslationBundle;
}

/** A run's name as a link that opens it, with its status. */
export function RunLink(props: {
  run: IRun;
  onOpenRun: (runId: string) => void;
  className?: string;
}): JSX.Element {
  const { run } = props;
  return (
    <>
      <button
        type="button"
        className={`mlops-LinkButton ${props.className ?? ''}`}
        data-run-id={run.info.run_id}
        title={run.info.run_id}
        onClick={() => props.onOpenRun(run.info.run_id)}
      >
        {run.info.run_name || run.info.run_id.slice(0, 8)}
      </button>{' '}
      <StatusBadge
        status={run.info.status}
        label={run.info.status.toLowerCase()}
      />
    </>
  );
}

/** The child runs of a run (pipeline steps, sweep trials, nested runs). */
export function RunChildren(props: IRunChildrenProps): JSX.Element | null {
  const { family, trans } = props;
  const children = family.children;
  if (!children || children.length === 0) {
    return null;
  }
  return (
    <section className="mlops-RunFamily-children">
      <h3>
        {family.more
          ? trans.__('Child runs (first %1)', children.length)
          : trans.__('Child runs (%1)', children.length)}
      </h3>
      <ul className="mlops-RunFamily-list">
        {children.map(child => (
          <li key={child.info.run_id} className="mlops-RunFamily-item">
            <RunLink
              run={child}
              onOpenRun={props.onOpenRun}
              className="mlops-RunFamily-child"
            />
          </li>
        ))}
      </ul>
    </section>
  );
}
