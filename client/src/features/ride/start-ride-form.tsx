// "Start a ride": its name, an optional planned end and when to alert the
// group that a rider fell back or stopped. Starting shares the starter's
// position, which the form says before the button.
import { LIMITS } from "@convoy/shared";
import { useState } from "preact/hooks";
import { clockTime } from "../../ui/time.ts";
import { useApp, useUser } from "../../ui/use-app.ts";
import type { ShareMode } from "../map/position-source.ts";
import { distance, duration, nextAt } from "./ride-format.ts";
import { ShareModeChoice } from "./share-mode-choice.tsx";

/** The gap thresholds offered, in metres and milliseconds; the defaults are the SPEC's. */
const GAP_CHOICES_M = [500, 1000, LIMITS.rideGapM, 5000, 10_000];
const STOPPED_CHOICES_MS = [2 * 60_000, LIMITS.rideStoppedMs, 10 * 60_000, 15 * 60_000];

export function StartRideForm({ groupId, onStarted }: { groupId: string; onStarted: () => void }) {
  const { rides } = useUser();
  const now = useApp().ticker.now.value;
  const [name, setName] = useState("");
  const [endTime, setEndTime] = useState("");
  const [gapM, setGapM] = useState<number>(LIMITS.rideGapM);
  const [stoppedMs, setStoppedMs] = useState<number>(LIMITS.rideStoppedMs);
  const [mode, setMode] = useState<ShareMode>("gps");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const plannedEndAt = endTime ? nextAt(endTime, now) : null;
  const tomorrow = plannedEndAt !== null && new Date(plannedEndAt).getDate() !== new Date(now).getDate();

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const problemNow = await rides.startRide(groupId, {
      name: name.trim(),
      plannedEndAt,
      mode,
      gapM,
      stoppedMs,
    });
    setBusy(false);
    setProblem(problemNow);
    if (!problemNow) onStarted();
  };

  return (
    <form class="start-ride" onSubmit={(e) => void submit(e)}>
      <label>
        Ride name
        <input
          name="ride-name"
          required
          maxLength={LIMITS.rideName}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>
      <label>
        Planned end (optional)
        <input
          name="ride-end"
          type="time"
          value={endTime}
          aria-describedby="ride-end-hint"
          onInput={(e) => setEndTime(e.currentTarget.value)}
        />
      </label>
      <p id="ride-end-hint" class="hint">
        {plannedEndAt
          ? `The ride ends by itself ${tomorrow ? "tomorrow" : "today"} at ${clockTime(plannedEndAt)}.`
          : "Without one, the ride ends when its starter or the group's owner ends it."}
      </p>
      <label>
        Alert when a rider is behind by
        <select name="ride-gap" value={gapM} onChange={(e) => setGapM(Number(e.currentTarget.value))}>
          {GAP_CHOICES_M.map((m) => (
            <option key={m} value={m}>
              {distance(m)}
            </option>
          ))}
        </select>
      </label>
      <label>
        or has stopped for
        <select
          name="ride-stopped"
          value={stoppedMs}
          onChange={(e) => setStoppedMs(Number(e.currentTarget.value))}
        >
          {STOPPED_CHOICES_MS.map((ms) => (
            <option key={ms} value={ms}>
              {duration(ms)}
            </option>
          ))}
        </select>
      </label>
      <ShareModeChoice name={`start-mode-${groupId}`} value={mode} onChange={setMode} />
      <p id="start-ride-note" class="note">
        Starting the ride shares your position with the group until you leave the ride or it ends.
      </p>
      <button type="submit" class="primary" disabled={busy} aria-describedby="start-ride-note">
        Start the ride
      </button>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
