/** Runs async steps one after another, in call order (e.g. a socket's presence changes). */
export function createSerial() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(step: () => Promise<T>): Promise<T> => {
    const run = tail.then(step);
    tail = run.catch(() => {});
    return run;
  };
}
