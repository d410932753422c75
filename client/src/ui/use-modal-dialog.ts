// A native <dialog> shown modal while its component is mounted: the browser
// makes the rest of the page inert, keeps Tab inside, closes it on Escape
// and gives focus back where it was. `onClose` hears Escape.
import { useEffect, useRef, type MutableRef } from "preact/hooks";

export function useModalDialog(
  ref: MutableRef<HTMLDialogElement | null>,
  onClose: () => void,
  /** What gets focus when it opens (the dialog itself if null: a screen reader reads its name and text). */
  focus?: MutableRef<HTMLElement | null>,
): void {
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    (focus?.current ?? dialog).focus();
    const closed = () => closeRef.current();
    dialog.addEventListener("close", closed);
    return () => {
      // Unmounted by the app: closing now is not the user's Escape.
      dialog.removeEventListener("close", closed);
      if (dialog.open) dialog.close();
    };
  }, []);
}
