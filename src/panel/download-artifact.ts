import type { TrackingApi } from '../api';
import { baseName } from './artifact-kind';

/** How long the object URL of a download lives (the browser copies it). */
const DOWNLOAD_URL_LIFETIME_MS = 10_000;

/** Save an artifact through the browser's download, under its base name. */
export async function downloadArtifact(
  api: TrackingApi,
  runId: string,
  path: string
): Promise<void> {
  const blob = await api.fetchArtifact(runId, path);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = baseName(path);
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), DOWNLOAD_URL_LIFETIME_MS);
}
