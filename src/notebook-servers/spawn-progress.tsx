import * as React from 'react';

import {
  isTransitional,
  IServerEvent,
  NotebookServersApi,
  INotebookServer,
  spawnPhase
} from './api';

const POLL_MS = 1000;

/**
 * Live progress of one server: polls `events?since=<cursor>` while the server
 * is on its way somewhere, and shows the steps and every event as it comes.
 */
export function SpawnProgress(props: {
  api: NotebookServersApi;
  server: INotebookServer;
  onChange: (server: INotebookServer) => void;
}): JSX.Element {
  const { api, server, onChange } = props;
  const [events, setEvents] = React.useState<IServerEvent[]>([]);
  const [error, setError] = React.useState<string | null>(null);
  const cursor = React.useRef(0);
  const onChangeRef = React.useRef(onChange);
  onChangeRef.current = onChange;

  React.useEffect(() => {
    let cancelled = false;
    let timer: number | undefined;
    const poll = async (): Promise<void> => {
      try {
        const answer = await api.events(
          server.owner,
          server.name,
          cursor.current
        );
        if (cancelled) {
          return;
        }
        cursor.current = answer.cursor;
        if (answer.events.length > 0) {
          setEvents(previous => [...previous, ...answer.events]);
        }
        setError(null);
        onChangeRef.current(answer.server);
        if (isTransitional(answer.server.status)) {
          timer = window.setTimeout(poll, POLL_MS);
        }
      } catch (reason) {
        if (!cancelled) {
          setError((reason as Error).message);
          timer = window.setTimeout(poll, POLL_MS * 3);
        }
      }
    };
    void poll();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [api, server.owner, server.name, server.started_at]);

  const phase = spawnPhase(events);
  return (
    <div className="mlops-NbProgress" aria-live="polite">
      <div className="mlops-NbProgress-steps">
        <progress max={5} value={phase.step} />
        <span className="mlops-NbProgress-label">{phase.label}</span>
      </div>
      {error && <div className="mlops-NbError">{error}</div>}
      <ol className="mlops-NbEvents">
        {events.map(event => (
          <li
            key={event.id}
            className={event.type === 'Warning' ? 'mlops-mod-warning' : ''}
          >
            <time>{new Date(event.timestamp).toLocaleTimeString()}</time>{' '}
            <strong>{event.reason}</strong> {event.message}
          </li>
        ))}
      </ol>
    </div>
  );
}
