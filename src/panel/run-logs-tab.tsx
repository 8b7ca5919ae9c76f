import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun, TrackingApi } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { consoleLines, TAIL_LINES } from './run-logs-logic';
import { type IRunLogFile, useRunLogs } from './use-run-logs';

export interface IRunLogsTabProps {
  api: TrackingApi;
  run: IRun;
  /** Whether the run's page is on screen (it is read only then). */
  visible: boolean;
  trans: TranslationBundle;
}

/** Within this many pixels of the end, the log counts as scrolled to the end. */
const AT_END_PX = 16;

/**
 * The run's console output, last lines first (earlier ones on demand),
 * following a running run live, and the exception of a failed run.
 */
export function RunLogsTab(props: IRunLogsTabProps): JSX.Element {
  const { api, run, trans } = props;
  const logs = useRunLogs(api, run, props.visible);
  return (
    <div className="mlops-RunLogs">
      {logs.error && (
        <ErrorBanner error={logs.error} onRetry={logs.reload} trans={trans} />
      )}
      {logs.loading ? (
        <p className="mlops-Placeholder">{trans.__('Loading logs…')}</p>
      ) : logs.log ? (
        <ConsoleOutput
          log={logs.log}
          following={logs.following}
          trans={trans}
        />
      ) : (
        !logs.error && (
          <div className="mlops-RunLogs-empty">
            <p>{trans.__('This run recorded no console output.')}</p>
            <p className="mlops-Muted">
              {trans.__(
                'Scripts keep what they print while a run started with start_run() is active; %%track cells keep their output, pipeline steps their log.'
              )}
            </p>
          </div>
        )
      )}
      {logs.traceback && (
        <section className="mlops-RunLogs-exception" role="alert">
          <h3 className="mlops-RunLogs-heading">{trans.__('Exception')}</h3>
          {logs.traceback.text === null ? (
            <TooLarge file={logs.traceback} trans={trans} />
          ) : (
            <pre className="mlops-RunLogs-traceback">
              {consoleLines(logs.traceback.text).join('\n')}
            </pre>
          )}
          <p className="mlops-Muted">
            {trans.__('From the artifact %1', logs.traceback.path)}
          </p>
        </section>
      )}
    </div>
  );
}

interface IConsoleOutputProps {
  log: IRunLogFile;
  following: boolean;
  trans: TranslationBundle;
}

/** The log's last lines, kept scrolled to the end while it grows. */
function ConsoleOutput(props: IConsoleOutputProps): JSX.Element {
  const { log, following, trans } = props;
  const [shown, setShown] = React.useState(TAIL_LINES);
  const output = React.useRef<HTMLPreElement>(null);
  const atEnd = React.useRef(true);
  // The height before "load earlier", to keep the lines in view where they were.
  const heightBefore = React.useRef<number | null>(null);
  const lines = React.useMemo(
    () => (log.text === null ? [] : consoleLines(log.text)),
    [log.text]
  );
  const start = Math.max(0, lines.length - shown);
  const text = React.useMemo(
    () => lines.slice(start).join('\n'),
    [lines, start]
  );

  React.useLayoutEffect(() => {
    const node = output.current;
    if (node === null) {
      return;
    }
    if (heightBefore.current !== null) {
      node.scrollTop += node.scrollHeight - heightBefore.current;
      heightBefore.current = null;
    } else if (atEnd.current) {
      node.scrollTop = node.scrollHeight;
    }
  }, [text]);

  if (log.text === null) {
    return <TooLarge file={log} trans={trans} />;
  }
  return (
    <section className="mlops-RunLogs-console">
      <div className="mlops-RunLogs-toolbar">
        <span className="mlops-Muted mlops-RunLogs-source">
          {trans.__('From the artifact %1', log.path)}
        </span>
        {following && (
          <span className="mlops-RunLogs-live">
            {trans.__('Following live output')}
          </span>
        )}
        {start > 0 && (
          <>
            <span className="mlops-Muted mlops-RunLogs-count">
              {trans.__(
                'Showing the last %1 of %2 lines',
                lines.length - start,
                lines.length
              )}
            </span>
            <button
              type="button"
              className="jp-Button jp-mod-styled mlops-RunLogs-earlier"
              onClick={() => {
                heightBefore.current = output.current?.scrollHeight ?? null;
                setShown(n => n + TAIL_LINES);
              }}
            >
              {trans.__('Load earlier lines')}
            </button>
          </>
        )}
      </div>
      {lines.length === 0 ? (
        <p className="mlops-Muted">{trans.__('The log is empty so far.')}</p>
      ) : (
        <pre
          className="mlops-RunLogs-output"
          ref={output}
          tabIndex={0}
          aria-label={trans.__('Console output')}
          onScroll={event => {
            const node = event.currentTarget;
            atEnd.current =
              node.scrollHeight - node.scrollTop - node.clientHeight <
              AT_END_PX;
          }}
        >
          {text}
        </pre>
      )}
    </section>
  );
}

function TooLarge(props: {
  file: IRunLogFile;
  trans: TranslationBundle;
}): JSX.Element {
  const { file, trans } = props;
  return (
    <p className="mlops-Muted mlops-RunLogs-tooLarge">
      {trans.__(
        '%1 holds %2 MB, too much to show here; download it from the Artifacts tab.',
        file.path,
        (file.size / (1024 * 1024)).toFixed(1)
      )}
    </p>
  );
}
