import * as React from 'react';

import type { INotebookOptions, INotebookServer } from './api';
import { ServerStatusBadge } from './status-badge';

/** A server's name, status, spec and last message. */
export function ServerSummary(props: {
  options: INotebookOptions;
  server: INotebookServer;
}): JSX.Element {
  const { options, server } = props;
  return (
    <>
      <div className="mlops-NbServer-head">
        <span className="mlops-NbServer-name">
          {options.is_admin && server.owner !== options.user
            ? `${server.owner}/`
            : ''}
          {server.name}
        </span>
        <ServerStatusBadge
          status={server.status}
          reason={server.reason}
          message={server.message}
        />
      </div>
      <div className="mlops-NbServer-spec">
        {(server.spec.image ?? '').split('/').pop()} · {server.spec.cpu} CPU ·{' '}
        {server.spec.memory}
        {(server.spec.gpus ?? 0) > 0 ? ` · ${server.spec.gpus} GPU` : ''}
        {server.restart_required ? ' · restart to apply edits' : ''}
      </div>
      {server.message && server.status !== 'Running' && (
        <div className="mlops-NbServer-message">{server.message}</div>
      )}
    </>
  );
}
