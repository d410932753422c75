// The alarm for tests: counts rings and stops, and answers each ring as the
// test says (sounding, or blocked as a browser without a user gesture would).
import type { Alarm, AlarmResult } from "../features/sos/alarm.ts";

export class FakeAlarm implements Alarm {
  rings = 0;
  stops = 0;
  /** What the next rings answer. */
  result: AlarmResult = "sounding";

  ring(): Promise<AlarmResult> {
    this.rings++;
    return Promise.resolve(this.result);
  }

  stop(): void {
    this.stops++;
  }
}
