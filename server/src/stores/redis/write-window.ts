// A short wait that callers share, so that their Redis commands leave together.
// The redis client writes the commands issued in one tick as one write, and
// Redis answers them in one read; a command alone costs the node a wake-up of
// its own for its answer, more than the command (40–60 µs of CPU here:
// `npm run redis-batch -w bench`). Riders' positions arrive one by one, so
// each would go alone.

/**
 * Returns `wait()`: a promise that resolves at the end of the current window,
 * `ms` after the first call that opened it. Everyone waiting on one window
 * resumes in the same tick.
 */
export function createWriteWindow(ms: number): () => Promise<void> {
  if (ms <= 0) return () => Promise.resolve();
  let open: Promise<void> | undefined;
  return () =>
    (open ??= new Promise<void>((resolve) => {
      setTimeout(() => {
        open = undefined;
        resolve();
      }, ms);
    }));
}
