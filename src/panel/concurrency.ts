/**
 * Run `task` over `items` with at most `limit` at a time (so that a long list
 * does not flood the server with requests), calling `onResult` as each ends.
 * Failures are passed on per item; the others still run.
 */
export async function forEachLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
  onResult: (item: T, result: R | null, error: unknown) => void
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        onResult(item, await task(item), null);
      } catch (error) {
        onResult(item, null, error);
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker)
  );
}
