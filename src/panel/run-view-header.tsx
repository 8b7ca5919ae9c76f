import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { RunStatus } from '../api';
import { StatusBadge } from '../components/status-badge';

/** The tabs of the run view. */
export type RunViewTab = 'overview' | 'metrics' | 'logs' | 'artifacts';

const TABS: RunViewTab[] = ['overview', 'metrics', 'logs', 'artifacts'];

export interface IRunViewHeaderProps {
  title: string;
  status: RunStatus;
  tab: RunViewTab;
  metricCount: number;
  onTab: (tab: RunViewTab) => void;
  trans: TranslationBundle;
}

/** The run view's title, status and tab bar. */
export function RunViewHeader(props: IRunViewHeaderProps): JSX.Element {
  const { tab, trans } = props;
  const label = (name: RunViewTab) =>
    name === 'overview'
      ? trans.__('Overview')
      : name === 'metrics'
        ? trans.__('Metrics (%1)', props.metricCount)
        : name === 'logs'
          ? trans.__('Logs')
          : trans.__('Artifacts');
  return (
    <header className="mlops-RunView-header">
      <h1 className="mlops-RunView-title">{props.title}</h1>
      <StatusBadge status={props.status} label={props.status.toLowerCase()} />
      <nav className="mlops-Tabs" role="tablist">
        {TABS.map(name => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={tab === name}
            className={`mlops-Tab${tab === name ? ' jp-mod-current' : ''}`}
            onClick={() => props.onTab(name)}
          >
            {label(name)}
          </button>
        ))}
      </nav>
    </header>
  );
}
