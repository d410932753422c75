// Async steps one after another, in call order: for one sequence (a socket's
// presence changes), or for each key apart (each rider's positions).

/** Runs async steps one after another, in call order (e.g. a socket's presence changes). */
export function createSerial() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(step: () => Promise<T>): Promise<T> => {
    const run = tail.then(step);
    tail = run.catch(() => {});
    return run;
  };
}

/** As createSerial, one sequence per key; a key with nothing in flight holds no memory. */
export function createKeyedSerial() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, step: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(step);
    const tail = run.catch(() => {});
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
