// Confirming an SOS: which group gets it, an optional one-line note, and
// whether the rider's position goes with it.
import { LIMITS } from "@convoy/shared";
import { useRef, useState } from "preact/hooks";
import { ago } from "../../ui/time.ts";
import { useApp, useUser } from "../../ui/use-app.ts";
import { useModalDialog } from "../../ui/use-modal-dialog.ts";

export function RaiseSosDialog({ onClose }: { onClose: () => void }) {
  const { groups, location, sos } = useUser();
  const at = useApp().ticker.now.value;
  const list = groups.list.value;
  const [groupId, setGroupId] = useState(groups.currentGroupId.value ?? list[0]?.id ?? "");
  const [note, setNote] = useState("");
  const [locating, setLocating] = useState(false);
  const [locateProblem, setLocateProblem] = useState<string | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const noteField = useRef<HTMLInputElement>(null);
  useModalDialog(dialog, onClose, noteField);
  const fix = location.lastFix.value;
  const name = list.find((g) => g.id === groupId)?.name ?? "your group";

  const locate = async () => {
    setLocating(true);
    setLocateProblem(await location.locateOnce());
    setLocating(false);
  };

  const send = (event: Event) => {
    event.preventDefault();
    if (!groupId) return;
    sos.raise(groupId, note);
    onClose();
  };

  return (
    <dialog
      ref={dialog}
      class="sos-dialog raise-sos"
      aria-labelledby="raise-sos-title"
      aria-describedby="raise-sos-text"
      tabIndex={-1}
    >
      <form onSubmit={send}>
        <h2 id="raise-sos-title">Send an SOS?</h2>
        <p id="raise-sos-text">
          Every member of {name} is alerted on all their devices until someone answers.{" "}
          {fix
            ? `Your last position (${ago(fix.ts, at)}) goes with it.`
            : "Your position is not known yet: add it, or send the SOS without it."}
        </p>
        {!fix && (
          <p class="locate-once">
            <button type="button" disabled={locating} onClick={() => void locate()}>
              {locating ? "Finding your position…" : "Add my position"}
            </button>
            {locateProblem && (
              <span class="error" role="alert">
                {" "}
                {locateProblem}
              </span>
            )}
          </p>
        )}
        {list.length > 1 && (
          <label>
            Group
            <select name="sos-group" value={groupId} onChange={(e) => setGroupId(e.currentTarget.value)}>
              {list.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Note (optional)
          <input
            ref={noteField}
            name="sos-note"
            maxLength={LIMITS.sosNote}
            autoComplete="off"
            aria-describedby="raise-sos-note-hint"
            value={note}
            onInput={(e) => setNote(e.currentTarget.value)}
          />
        </label>
        <p id="raise-sos-note-hint" class="hint">
          What happened, where exactly: one line, up to {LIMITS.sosNote} characters.
        </p>
        <div class="sos-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="danger">
            Send SOS to {name}
          </button>
        </div>
      </form>
    </dialog>
  );
}
