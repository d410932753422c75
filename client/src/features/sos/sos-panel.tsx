// Every open SOS of every group, under the group bar: the rider's own with
// its receipts, others' with a way back to their alert; and the alert dialog
// for the newest one this user has not answered (again when it is re-sent).
import { useState } from "preact/hooks";
import { ago } from "../../ui/time.ts";
import { useApp, useUser } from "../../ui/use-app.ts";
import { AlarmControl } from "./alarm-control.tsx";
import { SosAlertDialog } from "./sos-alert-dialog.tsx";
import { SosReceipts } from "./sos-receipts.tsx";

export function SosPanel({ onShowMap }: { onShowMap: () => void }) {
  const { sos, groups, userId } = useUser();
  const at = useApp().ticker.now.value;
  /** Opened from the list, or answered and kept open for Resolve. */
  const [opened, setOpened] = useState<string | null>(null);
  /** sosId → the sentCount the user closed it at: a re-send shows it again. */
  const [closedAt, setClosedAt] = useState<Record<string, number>>({});
  const open = sos.open.value;
  const raising = sos.raising.value;
  const others = open.filter((s) => s.userId !== userId);
  const mine = open.filter((s) => s.userId === userId);
  const shown =
    others.find((s) => s.id === opened) ??
    others.find((s) => sos.needsAttention(s) && (closedAt[s.id] ?? 0) < s.sentCount);
  const groupName = (id: string) => groups.list.value.find((g) => g.id === id)?.name ?? "a group";
  const close = (id: string, sentCount: number) => {
    setOpened(null);
    setClosedAt((c) => ({ ...c, [id]: sentCount }));
  };

  if (open.length === 0 && raising.length === 0 && !sos.problem.value) return null;
  return (
    <section class="sos-panel" aria-label="SOS alerts">
      {sos.problem.value && !shown && (
        <p class="error" role="alert">
          {sos.problem.value}
        </p>
      )}
      {raising.map((p) => (
        <p key={p.clientSosId} class="sos-raising" role="status">
          Sending your SOS to {groupName(p.groupId)}… It goes out as soon as the connection is back.
        </p>
      ))}
      {mine.map((s) => (
        <SosReceipts key={s.id} alert={s} />
      ))}
      {others.length > 0 && (
        <ul class="sos-list">
          {others.map((s) => (
            <li key={s.id} data-sos={s.id}>
              <strong>SOS from {s.username}</strong> in {groupName(s.groupId)}, {ago(s.raisedAt, at)}:{" "}
              {sos.needsAttention(s) ? "not answered by you" : "you are coming"}{" "}
              <button type="button" onClick={() => setOpened(s.id)}>
                Open<span class="visually-hidden"> the SOS from {s.username}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {!shown && <AlarmControl />}
      {shown && (
        <SosAlertDialog
          key={shown.id}
          alert={shown}
          onClose={() => close(shown.id, shown.sentCount)}
          onShowMap={onShowMap}
          onAnswered={() => setOpened(shown.id)}
        />
      )}
    </section>
  );
}
