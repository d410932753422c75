// Awaiting events with a bound, instead of sleeping.

interface Listenable {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Resolves with the first `event` payload that passes `where`, or rejects after `ms`. */
export function waitFor<T = unknown>(
  emitter: Listenable,
  event: string,
  options: { where?: (payload: T) => boolean; ms?: number } = {},
): Promise<T> {
  const { where = () => true, ms = 3000 } = options;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no "${event}" within ${ms} ms`));
    }, ms);
    const listener = (payload: unknown) => {
      if (!where(payload as T)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(payload as T);
    };
    emitter.on(event, listener);
  });
}

/** Collects every `event` payload until stopped. */
export function collect<T = unknown>(emitter: Listenable, event: string) {
  const seen: T[] = [];
  const listener = (payload: unknown) => void seen.push(payload as T);
  emitter.on(event, listener);
  return { seen, stop: () => emitter.off(event, listener) };
}

/**
 * Asserts that `event` does not arrive within `ms`. The one place a test waits
 * on the clock: proving an absence needs a window, and its length is visible here.
 */
export async function expectSilence(emitter: Listenable, event: string, ms = 300): Promise<void> {
  const { seen, stop } = collect(emitter, event);
  await new Promise((resolve) => setTimeout(resolve, ms));
  stop();
  if (seen.length > 0) throw new Error(`expected no "${event}", got ${JSON.stringify(seen[0])}`);
}

/**
 * Polls a node's /readyz until it answers `status` (bounded: 100 tries, 100 ms
 * apart). Readiness is a state with no event to await, so this one asks.
 */
export async function readyzBecomes(baseUrl: string, status: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${baseUrl}/readyz`)).status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/readyz never answered ${status}`);
}
