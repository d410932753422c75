// The device's location service for tests: the test reports fixes and errors.
import type { GeolocationLike } from "../features/map/position-source.ts";

interface Watch {
  success: PositionCallback;
  error: PositionErrorCallback | null | undefined;
}

export class FakeGeolocation implements GeolocationLike {
  private nextId = 1;
  private readonly watches = new Map<number, Watch>();
  /** getCurrentPosition calls not answered yet: the next fix or failure answers them. */
  private once: Watch[] = [];

  watchPosition(success: PositionCallback, error?: PositionErrorCallback | null): number {
    const id = this.nextId++;
    this.watches.set(id, { success, error });
    return id;
  }

  clearWatch(id: number): void {
    this.watches.delete(id);
  }

  getCurrentPosition(success: PositionCallback, error?: PositionErrorCallback | null): void {
    this.once.push({ success, error });
  }

  /** getCurrentPosition calls waiting for an answer. */
  get asked(): number {
    return this.once.length;
  }

  get watching(): number {
    return this.watches.size;
  }

  fix(latitude: number, longitude: number, heading: number | null = null): void {
    const coords = {
      latitude,
      longitude,
      accuracy: 8,
      altitude: null,
      altitudeAccuracy: null,
      heading,
      speed: null,
      toJSON: () => ({}),
    };
    for (const watch of this.answered()) watch.success({ coords, timestamp: 0, toJSON: () => ({}) });
  }

  fail(code: 1 | 2 | 3): void {
    const error = { code, message: "", PERMISSION_DENIED: 1, POSITION_UNAVAILABLE: 2, TIMEOUT: 3 } as const;
    for (const watch of this.answered()) watch.error?.(error);
  }

  /** Every watch, and the one-shot calls (which are answered once). */
  private answered(): Watch[] {
    const once = this.once;
    this.once = [];
    return [...this.watches.values(), ...once];
  }
}
