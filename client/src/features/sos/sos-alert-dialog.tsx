// Another rider's SOS, in front of everything: who, in which group, their
// note, where they were and how old that position is; "I'm coming", and
// "Resolve" once allowed. Shown in a visible page, it counts as seen.
import type { Sos } from "@convoy/shared";
import { useEffect, useRef } from "preact/hooks";
import { ago, clockTime } from "../../ui/time.ts";
import { useApp, useUser } from "../../ui/use-app.ts";
import { useModalDialog } from "../../ui/use-modal-dialog.ts";
import { AlarmControl } from "./alarm-control.tsx";
import { FixDetails } from "./fix-details.tsx";

export function SosAlertDialog({
  alert,
  onClose,
  onShowMap,
  onAnswered,
}: {
  alert: Sos;
  onClose: () => void;
  onShowMap: () => void;
  /** "I'm coming" was pressed: the dialog stays, now offering Resolve. */
  onAnswered: () => void;
}) {
  const { sos, groups, userId } = useUser();
  const at = useApp().ticker.now.value;
  const dialog = useRef<HTMLDialogElement>(null);
  useModalDialog(dialog, onClose);
  useEffect(() => {
    sos.showing(alert.id);
    return () => sos.showing(null);
  }, [alert.id]);

  const group = groups.list.value.find((g) => g.id === alert.groupId)?.name ?? "your group";
  const coming = !sos.needsAttention(alert);
  const others = alert.receipts
    .filter((r) => r.state === "acknowledged" && r.userId !== userId)
    .map((r) => r.username);
  const showOnMap = () => {
    groups.openGroup(alert.groupId);
    sos.focusOnMap(alert.id);
    onShowMap();
    onClose();
  };

  return (
    <dialog
      ref={dialog}
      class="sos-dialog sos-alert"
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="sos-alert-title"
      aria-describedby="sos-alert-text"
      tabIndex={-1}
      data-sos={alert.id}
    >
      <h2 id="sos-alert-title">SOS from {alert.username}</h2>
      <div id="sos-alert-text">
        <p>
          In {group}, raised at {clockTime(alert.raisedAt)} ({ago(alert.raisedAt, at)}).
          {alert.sentCount > 1 &&
            !alert.receipts.some((r) => r.state === "acknowledged") &&
            ` Sent ${alert.sentCount} times: nobody has answered yet.`}
        </p>
        {alert.note && <p class="sos-note">“{alert.note}”</p>}
        <FixDetails fix={alert.fix} at={at} />
        {others.length > 0 && <p>Coming: {others.join(", ")}.</p>}
      </div>
      {coming && (
        <p class="sos-coming" role="status">
          You are coming. {alert.username} sees it.
        </p>
      )}
      <AlarmControl />
      {sos.problem.value && (
        <p class="error" role="alert">
          {sos.problem.value}
        </p>
      )}
      <div class="sos-actions">
        {!coming && (
          <button
            type="button"
            class="danger"
            onClick={() => {
              onAnswered();
              sos.acknowledge(alert.id);
              // The button goes away: focus stays in the dialog, whose status now says "You are coming".
              dialog.current?.focus();
            }}
          >
            I'm coming
          </button>
        )}
        {alert.fix && (
          <button type="button" onClick={showOnMap}>
            Show on the map
          </button>
        )}
        {sos.canResolve(alert) && (
          <button type="button" onClick={() => void sos.resolve(alert.id)}>
            Resolve
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
