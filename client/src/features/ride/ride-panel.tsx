// The group's ride: start one, or the one under way (since when, who rides,
// join, leave, end), and the past rides. Shown above the map.
import type { Ride } from "@convoy/shared";
import { useEffect, useRef, useState } from "preact/hooks";
import { clockTime } from "../../ui/time.ts";
import { useApp, useUser } from "../../ui/use-app.ts";
import type { ShareMode } from "../map/position-source.ts";
import { PastRides } from "./past-rides.tsx";
import { ridesIn } from "./rides.ts";
import { ShareModeChoice } from "./share-mode-choice.tsx";
import { StartRideForm } from "./start-ride-form.tsx";

export function RidePanel({ groupId }: { groupId: string }) {
  const { rides } = useUser();
  const ride = rides.active.value[groupId];
  const ended = rides.lastEnded.value[groupId];
  const [starting, setStarting] = useState(false);
  // After an action its button is gone: focus goes to the panel's title, which says what changed.
  const title = useRef<HTMLHeadingElement>(null);
  const [moveFocus, setMoveFocus] = useState(0);
  useEffect(() => {
    if (moveFocus) title.current?.focus();
  }, [moveFocus]);
  const done = () => setMoveFocus((n) => n + 1);
  // A ride started meanwhile (by anyone) closes the form: the panel shows that ride now.
  useEffect(() => {
    if (ride) setStarting(false);
  }, [ride?.id]);

  return (
    <section class="ride-panel" aria-labelledby="ride-title" data-ride={ride ? "on" : "off"}>
      <h3 id="ride-title" ref={title} tabIndex={-1}>
        {ride ? `Ride under way: ${ride.name}` : "Ride"}
      </h3>
      <p role="status" class="ride-status">
        {ride
          ? `Since ${clockTime(ride.startedAt)}, started by ${starterName(ride)}.`
          : ended
            ? `The ride “${ended.name}” ended at ${clockTime(ended.endedAt ?? 0)}.`
            : "No ride under way."}
      </p>
      <QueuedActions groupId={groupId} />
      {ride ? (
        <RideUnderWay key={ride.id} ride={ride} onDone={done} />
      ) : (
        <>
          <button
            type="button"
            aria-expanded={starting}
            aria-controls="start-ride-form"
            onClick={() => setStarting(!starting)}
          >
            Start a ride
          </button>
          <div id="start-ride-form">
            {starting && (
              <StartRideForm
                groupId={groupId}
                onStarted={() => {
                  setStarting(false);
                  done();
                }}
              />
            )}
          </div>
        </>
      )}
      <PastRides groupId={groupId} />
    </section>
  );
}

/** Ride actions taken offline that wait for the connection, and why one was dropped when it went. */
function QueuedActions({ groupId }: { groupId: string }) {
  const { rides } = useUser();
  const waiting = rides.queued.value.filter((q) => q.groupId === groupId);
  const notice = rides.notice.value;
  return (
    <>
      {waiting.map((q) => (
        <p key={q.id} class="note ride-queued" data-action={q.action}>
          Offline: you will {q.action} the ride “{q.rideName}” once connected.
        </p>
      ))}
      {notice && (
        <div class="error ride-notice" role="alert">
          <p>{notice}</p>
          <button type="button" onClick={() => rides.dismissNotice()}>
            OK
          </button>
        </div>
      )}
    </>
  );
}

const starterName = (ride: Ride) =>
  ride.riders.find((r) => r.userId === ride.startedBy)?.username ?? "a member";

function RideUnderWay({ ride, onDone }: { ride: Ride; onDone: () => void }) {
  const { rides, location, groups } = useUser();
  const me = useApp().session.current.value?.user.id ?? "";
  const [mode, setMode] = useState<ShareMode>("gps");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirmEnd) confirmButton.current?.focus();
  }, [confirmEnd]);
  const group = groups.list.value.find((g) => g.id === ride.groupId);
  const riding = ride.riders.filter((r) => r.leftAt === null);
  const iRide = ridesIn(ride, me);
  const sharingHere = location.rideSharing.value[ride.groupId] === ride.id;
  const canEnd = me === ride.startedBy || me === group?.ownerId;

  const act = async (action: () => Promise<string | null>) => {
    setBusy(true);
    setProblem(null);
    const refused = await action();
    setBusy(false);
    setProblem(refused);
    if (!refused) onDone();
  };

  return (
    <div class="ride-under-way">
      {ride.plannedEndAt !== null && <p>Ends by itself at {clockTime(ride.plannedEndAt)}.</p>}
      <p id={`riders-${ride.id}`}>{riding.length === 1 ? "1 rider" : `${riding.length} riders`}:</p>
      <ul class="ride-riders" aria-labelledby={`riders-${ride.id}`}>
        {riding.map((r) => (
          <li key={r.userId} data-rider={r.username}>
            {r.username}
            {r.userId === me ? " (you)" : ""}
          </li>
        ))}
      </ul>
      {iRide && sharingHere && (
        <p class="note">
          You ride in it: your position is shared
          {location.sharing.value[ride.groupId] === "simulated" ? " (simulated ride)" : " (GPS)"} until you
          leave or the ride ends.
        </p>
      )}
      {iRide && !sharingHere && (
        <p class="note">You ride in it, but this device does not send your position.</p>
      )}
      {(!iRide || !sharingHere) && (
        <ShareModeChoice name={`join-mode-${ride.id}`} value={mode} onChange={setMode} />
      )}
      <div class="ride-actions">
        {!iRide && (
          <button
            type="button"
            class="primary"
            disabled={busy}
            onClick={() => void act(() => rides.joinRide(ride, mode))}
          >
            Join the ride (shares your position)
          </button>
        )}
        {iRide && !sharingHere && (
          <button
            type="button"
            class="primary"
            disabled={busy}
            onClick={() => void act(() => rides.joinRide(ride, mode))}
          >
            Share my position for the ride
          </button>
        )}
        {iRide && (
          <button type="button" disabled={busy} onClick={() => void act(() => rides.leaveRide(ride))}>
            Leave the ride
          </button>
        )}
        {canEnd && !confirmEnd && (
          <button type="button" disabled={busy} onClick={() => setConfirmEnd(true)}>
            End the ride
          </button>
        )}
      </div>
      {confirmEnd && (
        <div class="ride-actions" role="group" aria-label="End the ride for everyone?">
          <p>Ending it stops every rider's sharing.</p>
          <button
            type="button"
            class="danger"
            ref={confirmButton}
            disabled={busy}
            onClick={() => void act(() => rides.endRide(ride)).then(() => setConfirmEnd(false))}
          >
            End it for everyone
          </button>
          <button type="button" onClick={() => setConfirmEnd(false)}>
            Cancel
          </button>
        </div>
      )}
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
