// Lets every promise chain that is already under way run to its end: a
// macrotask turn comes only after the microtask queue is empty.
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
