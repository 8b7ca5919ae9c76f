import {
  DOMWidgetModel,
  DOMWidgetView,
  ISerializers,
  unpack_models,
  WidgetModel
} from '@jupyter-widgets/base';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import type { ObjectHash } from 'backbone';
import * as React from 'react';

import { IRunRow, ISort, sortRows } from './logic';
import { RunsTableRow } from './runs-table-row';
import { RunsTableToolbar } from './runs-table-toolbar';
import { ReactDOMWidgetView, setModelValue, useModelValue } from './react-view';
import { widgetNames } from './version';

/** The model of `RunsTable`: rows and columns come from the kernel. */
export class RunsTableModel extends DOMWidgetModel {
  static serializers: ISerializers = {
    ...DOMWidgetModel.serializers,
    comparison: { deserialize: unpack_models }
  };

  defaults(): ObjectHash {
    return {
      ...super.defaults(),
      ...widgetNames('RunsTable'),
      filter: '',
      experiment: null,
      max_results: 100,
      rows: [],
      param_columns: [],
      metric_columns: [],
      selected: [],
      error: '',
      comparison: null
    };
  }
}

/** A table of runs: click a header to sort, tick rows, compare them. */
export function RunsTablePanel(props: { model: WidgetModel }): JSX.Element {
  const { model } = props;
  const rows = useModelValue<IRunRow[]>(model, 'rows');
  const params = useModelValue<string[]>(model, 'param_columns');
  const metrics = useModelValue<string[]>(model, 'metric_columns');
  const selected = useModelValue<string[]>(model, 'selected');
  const error = useModelValue<string>(model, 'error');
  const [sort, setSort] = React.useState<ISort>({
    column: 'start_time',
    descending: true
  });

  const sorted = React.useMemo(() => sortRows(rows, sort), [rows, sort]);
  const chosen = new Set(selected);
  const columns: { id: string; label: string }[] = [
    { id: 'name', label: 'Run' },
    { id: 'status', label: 'Status' },
    ...params.map(p => ({ id: `params.${p}`, label: p })),
    ...metrics.map(m => ({ id: `metrics.${m}`, label: m }))
  ];
  const toggle = (runId: string): void => {
    const next = chosen.has(runId)
      ? selected.filter(id => id !== runId)
      : [...selected, runId];
    setModelValue(model, 'selected', next);
  };
  const onSort = (column: string): void =>
    setSort(current => ({
      column,
      descending: current.column === column ? !current.descending : false
    }));

  return (
    <div className="mlops-RunsTableWidget" data-rows={rows.length}>
      <RunsTableToolbar model={model} selected={selected.length} />
      {error && <div className="mlops-WidgetError">{error}</div>}
      <div className="mlops-RunsTableWidget-scroll">
        <table className="mlops-WidgetTable">
          <thead>
            <tr>
              <th />
              {columns.map(c => (
                <th
                  key={c.id}
                  onClick={() => onSort(c.id)}
                  aria-sort={
                    sort.column === c.id
                      ? sort.descending
                        ? 'descending'
                        : 'ascending'
                      : 'none'
                  }
                >
                  {c.label}
                  {sort.column === c.id ? (sort.descending ? ' ▼' : ' ▲') : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sorted.map(row => (
              <RunsTableRow
                key={row.run_id}
                row={row}
                params={params}
                metrics={metrics}
                chosen={chosen.has(row.run_id)}
                onToggle={() => toggle(row.run_id)}
              />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** The table, and below it the comparison the kernel attaches on Compare. */
export class RunsTableView extends ReactDOMWidgetView {
  private _comparisonHost: HTMLDivElement | null = null;
  private _comparisonView: DOMWidgetView | null = null;

  protected element(): React.ReactElement {
    return <RunsTablePanel model={this.model} />;
  }

  render(): void {
    super.render();
    this._comparisonHost = document.createElement('div');
    this._comparisonHost.className = 'mlops-RunsTableWidget-comparison';
    this.el.appendChild(this._comparisonHost);
    this.listenTo(this.model, 'change:comparison', this._showComparison);
    void this._showComparison();
  }

  private async _showComparison(): Promise<void> {
    const old = this._comparisonView;
    this._comparisonView = null;
    if (old) {
      old.remove();
    }
    const model = this.model.get('comparison') as DOMWidgetModel | null;
    if (!model || !this._comparisonHost) {
      return;
    }
    const view = await this.create_child_view<DOMWidgetView>(model);
    this._comparisonView = view;
    MessageLoop.sendMessage(view.luminoWidget, Widget.Msg.BeforeAttach);
    this._comparisonHost.appendChild(view.el);
    MessageLoop.sendMessage(view.luminoWidget, Widget.Msg.AfterAttach);
  }

  remove(): void {
    this._comparisonView?.remove();
    this._comparisonView = null;
    return super.remove();
  }
}
