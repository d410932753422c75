// Stands in for document and window (visibilitychange, online, offline):
// records listeners so a test can fire an event and count what is left.
export class FakeEventTarget<T extends string> {
  private readonly listeners = new Map<T, Set<() => void>>();

  addEventListener(type: T, listener: () => void): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }

  removeEventListener(type: T, listener: () => void): void {
    this.listeners.get(type)?.delete(listener);
  }

  dispatch(type: T): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener();
  }

  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }
}
