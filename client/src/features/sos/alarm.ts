// What an incoming SOS sounds like: an injected dependency, so the feature is
// tested without a browser (testing/fake-alarm.ts) and the app gets the real
// one (web-alarm.ts) from main.tsx.

/**
 * sounding: the beeps play (and the device vibrates where it can).
 * blocked: the browser holds sound back until the user taps the page.
 * silent: this browser cannot sound at all; nothing to tap for.
 */
export type AlarmResult = "sounding" | "blocked" | "silent";

export interface Alarm {
  /** Beeps and vibrates through the pattern once. Called again from a tap, it may sound where it was blocked. */
  ring(): Promise<AlarmResult>;
  /** Stops the beeps and the vibration at once. */
  stop(): void;
}

/** For a device without sound (and the default where none is given). */
export const silentAlarm: Alarm = {
  ring: () => Promise.resolve("silent"),
  stop: () => {},
};
