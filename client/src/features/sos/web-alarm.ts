// The alarm in a browser: a beep pattern made with Web Audio (no sound file
// to load or cache) and navigator.vibrate where there is one. Browsers may
// keep audio suspended until the user taps the page: ring() then answers
// "blocked", and the view offers a control whose tap calls ring() again.
import type { Clock } from "../../net/clock.ts";
import type { Alarm, AlarmResult } from "./alarm.ts";

/** Three short beeps and a pause, three times: about 3 seconds, seconds from the start. */
const BEEPS = [0, 0.3, 0.6, 1.2, 1.5, 1.8, 2.4, 2.7, 3.0].map((at) => ({ at, seconds: 0.2 }));
const FREQUENCY_HZ = 880;
/** The same rhythm for the vibration motor, in ms on/off. */
const VIBRATION = [200, 100, 200, 100, 200, 400, 200, 100, 200, 100, 200, 400, 200, 100, 200, 100, 200];
/** Without a user gesture, resume() may never settle: wait this long before calling it blocked. */
const RESUME_WAIT_MS = 300;

export function createWebAlarm({
  AudioContextClass,
  vibrate,
  clock,
}: {
  /** `window.AudioContext`, absent in a browser without Web Audio. */
  AudioContextClass: (new () => AudioContext) | undefined;
  /** `navigator.vibrate`, absent where the device cannot. */
  vibrate: ((pattern: number | number[]) => boolean) | undefined;
  clock: Clock;
}): Alarm {
  let context: AudioContext | null = null;
  let playing: OscillatorNode[] = [];
  /** Bumped by stop(): a ring still waiting for the audio to resume does not start after it. */
  let generation = 0;

  const shake = (pattern: number | number[]) => {
    try {
      vibrate?.(pattern);
    } catch {
      // Refused (no user activation yet, or a permissions policy): the sound is still tried.
    }
  };

  // A function, not a comparison inline: the state changes across the await.
  const isRunning = (audio: AudioContext) => audio.state === "running";

  async function running(audio: AudioContext): Promise<boolean> {
    if (isRunning(audio)) return true;
    await Promise.race([
      audio.resume().catch(() => {}),
      new Promise<void>((resolve) => clock.setTimeout(resolve, RESUME_WAIT_MS)),
    ]);
    return isRunning(audio);
  }

  function silence(): void {
    for (const oscillator of playing) {
      try {
        oscillator.stop();
      } catch {
        // Already stopped.
      }
    }
    playing = [];
  }

  return {
    async ring(): Promise<AlarmResult> {
      const mine = ++generation;
      shake(VIBRATION);
      if (!AudioContextClass) return "silent";
      context ??= new AudioContextClass();
      if (!(await running(context))) return "blocked";
      if (mine !== generation) return "sounding";
      silence();
      const gain = context.createGain();
      gain.gain.value = 0.3;
      gain.connect(context.destination);
      const start = context.currentTime + 0.05;
      for (const beep of BEEPS) {
        const oscillator = context.createOscillator();
        oscillator.type = "square";
        oscillator.frequency.value = FREQUENCY_HZ;
        oscillator.connect(gain);
        oscillator.start(start + beep.at);
        oscillator.stop(start + beep.at + beep.seconds);
        playing.push(oscillator);
      }
      return "sounding";
    },
    stop() {
      generation++;
      silence();
      shake(0);
    },
  };
}
