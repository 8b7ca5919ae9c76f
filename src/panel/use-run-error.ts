import * as React from 'react';

import type { IRun, TrackingApi } from '../api';
import { PREVIEW_LIMIT_BYTES } from './artifact-kind';
import {
  ERROR_ARTIFACTS,
  errorExcerpt,
  hasErrorSection
} from './run-error-logic';

/** The traceback (or log tail) of a failed run, and the artifact it is from. */
export interface IRunErrorDetail {
  text: string;
  path: string;
}

/**
 * Read a failed run's recorded error: the first of `ERROR_ARTIFACTS` that
 * exists (and is small enough to read), cut down to its traceback. `null`
 * while loading or when the run recorded none.
 */
export function useRunError(
  api: TrackingApi,
  run: IRun
): { detail: IRunErrorDetail | null; loading: boolean } {
  const runId = run.info.run_id;
  const wanted = hasErrorSection(run);
  const [detail, setDetail] = React.useState<IRunErrorDetail | null>(null);
  const [loading, setLoading] = React.useState(wanted);
  React.useEffect(() => {
    setDetail(null);
    if (!wanted) {
      setLoading(false);
      return;
    }
    let cancelled = false;
    setLoading(true);
    const find = async (): Promise<IRunErrorDetail | null> => {
      const folders = new Map<string, Promise<Set<string>>>();
      for (const path of ERROR_ARTIFACTS) {
        const folder = path.slice(0, path.lastIndexOf('/'));
        if (!folders.has(folder)) {
          folders.set(
            folder,
            api
              .listArtifacts(runId, folder)
              .then(
                files =>
                  new Set(
                    files
                      .filter(
                        f =>
                          !f.is_dir && (f.file_size ?? 0) <= PREVIEW_LIMIT_BYTES
                      )
                      .map(f => f.path)
                  )
              )
              .catch(() => new Set<string>())
          );
        }
        if ((await folders.get(folder)!).has(path)) {
          const text = await (await api.fetchArtifact(runId, path)).text();
          return { text: errorExcerpt(text), path };
        }
      }
      return null;
    };
    find()
      .catch(() => null)
      .then(found => {
        if (!cancelled) {
          setDetail(found);
          setLoading(false);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [api, runId, wanted, run.info.end_time]);
  return { detail, loading };
}
