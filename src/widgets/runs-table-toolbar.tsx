import type { WidgetModel } from '@jupyter-widgets/base';
import * as React from 'react';

import { setModelValue, useModelValue } from './react-view';

/**
 * The runs table's filter (sent to the kernel on Enter), Refresh, and
 * Compare for two or more ticked runs.
 */
export function RunsTableToolbar(props: {
  model: WidgetModel;
  selected: number;
}): JSX.Element {
  const { model, selected } = props;
  const filter = useModelValue<string>(model, 'filter');
  const [draft, setDraft] = React.useState(filter);
  React.useEffect(() => setDraft(filter), [filter]);
  return (
    <div className="mlops-WidgetToolbar">
      <input
        className="mlops-RunsTableWidget-filter"
        type="search"
        placeholder="Filter, e.g. metrics.accuracy > 0.9 and params.model = 'rf'"
        value={draft}
        onChange={e => setDraft(e.target.value)}
        onKeyDown={e => {
          if (e.key === 'Enter') {
            setModelValue(model, 'filter', draft);
          }
        }}
      />
      <button
        className="jp-mod-styled"
        onClick={() => model.send({ type: 'refresh' }, {})}
      >
        Refresh
      </button>
      <button
        className="jp-mod-styled jp-mod-accept mlops-RunsTableWidget-compare"
        disabled={selected < 2}
        onClick={() => model.send({ type: 'compare' }, {})}
      >
        Compare {selected > 0 ? `(${selected})` : ''}
      </button>
    </div>
  );
}
