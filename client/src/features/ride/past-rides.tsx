// "Past rides": the group's ended rides (loaded when opened, again when a
// ride ends), each with its summary.
import type { Ride } from "@convoy/shared";
import { useEffect, useState } from "preact/hooks";
import { clockTime } from "../../ui/time.ts";
import { useUser } from "../../ui/use-app.ts";
import { duration } from "./ride-format.ts";
import { RideSummaryView } from "./ride-summary-view.tsx";

export function PastRides({ groupId }: { groupId: string }) {
  const { rides } = useUser();
  const [open, setOpen] = useState(false);
  const [list, setList] = useState<Ride[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const lastEnded = rides.lastEnded.value[groupId]?.id;
  const summary = rides.summary.value?.groupId === groupId ? rides.summary.value : null;

  useEffect(() => {
    if (!open) return;
    let current = true;
    setProblem(null);
    rides.pastRides(groupId).then(
      (past) => current && setList(past),
      () => current && setProblem("Past rides could not be loaded. Try again."),
    );
    return () => {
      current = false;
    };
  }, [open, groupId, lastEnded, rides]);

  const show = async (ride: Ride) => setProblem(await rides.openSummary(groupId, ride.id));

  return (
    <div class="past-rides">
      <div class="ride-actions">
        <button
          type="button"
          aria-expanded={open}
          aria-controls={`past-rides-${groupId}`}
          onClick={() => setOpen(!open)}
        >
          Past rides
        </button>
        {!open && lastEnded && (
          <button type="button" onClick={() => void show(rides.lastEnded.value[groupId]!)}>
            See the summary of the ride that ended
          </button>
        )}
      </div>
      <div id={`past-rides-${groupId}`}>
        {open && list !== null && list.length === 0 && <p>No ride has ended in this group yet.</p>}
        {open && list !== null && list.length > 0 && (
          <ul class="past-ride-list" aria-label="Past rides">
            {list.map((ride) => (
              <li key={ride.id}>
                <span>
                  {ride.name}, {new Date(ride.startedAt).toLocaleDateString()} {clockTime(ride.startedAt)},{" "}
                  {duration((ride.endedAt ?? ride.startedAt) - ride.startedAt)}
                </span>
                <button type="button" onClick={() => void show(ride)}>
                  Show summary<span class="visually-hidden"> of {ride.name}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {summary && <RideSummaryView summary={summary} onClose={() => rides.closeSummary()} />}
    </div>
  );
}
