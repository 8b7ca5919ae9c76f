import * as React from 'react';

export interface IScheduleActionsProps {
  name: string;
  enabled: boolean;
  /** Pause an enabled schedule, resume a paused one. */
  onToggle: () => Promise<void>;
  onDelete: () => Promise<void>;
}

/**
 * Pause or Resume and Delete (asked once more before it goes), with the
 * error of the last action that failed.
 */
export function ScheduleActions(props: IScheduleActionsProps): JSX.Element {
  const [confirming, setConfirming] = React.useState(false);
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);

  const act = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (reason) {
      setError((reason as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <td className="jp-mlops-schedule-actions">
      {confirming ? (
        <span className="jp-mlops-confirm">
          Delete “{props.name}”? Its runs stay.
          <button
            className="jp-mlops-button jp-mod-warn jp-mlops-confirm-delete"
            disabled={busy}
            onClick={() => void act(props.onDelete)}
          >
            Delete
          </button>
          <button
            className="jp-mlops-button jp-mlops-keep"
            onClick={() => setConfirming(false)}
          >
            Keep
          </button>
        </span>
      ) : (
        <>
          <button
            className="jp-mlops-button jp-mlops-toggle-schedule"
            disabled={busy}
            onClick={() => void act(props.onToggle)}
          >
            {props.enabled ? 'Pause' : 'Resume'}
          </button>
          <button
            className="jp-mlops-button jp-mlops-delete-schedule"
            disabled={busy}
            onClick={() => setConfirming(true)}
          >
            Delete
          </button>
        </>
      )}
      {error && (
        <div className="jp-mlops-error" role="alert">
          {error}
        </div>
      )}
    </td>
  );
}
