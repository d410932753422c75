// The SOS button, always in the header: it only opens a confirm step (a
// handlebar mount is easily bumped), where the rider may add a note.
import { useState } from "preact/hooks";
import { useUser } from "../../ui/use-app.ts";
import { RaiseSosDialog } from "./raise-sos-dialog.tsx";

export function SosButton() {
  const { groups } = useUser();
  const [open, setOpen] = useState(false);
  const none = groups.list.value.length === 0;
  return (
    <>
      <button
        type="button"
        class="sos-button"
        aria-haspopup="dialog"
        aria-describedby={none ? "sos-needs-group" : undefined}
        aria-disabled={none}
        onClick={() => !none && setOpen(true)}
      >
        SOS
      </button>
      {none && (
        <span id="sos-needs-group" class="visually-hidden">
          Join or create a group first: an SOS goes to a group.
        </span>
      )}
      {open && <RaiseSosDialog onClose={() => setOpen(false)} />}
    </>
  );
}
