// Copying to the clipboard, which browsers refuse outside secure contexts
// (a deployment on plain http) or without permission: then the text is
// selected on screen so the user can copy it themselves.

/** copied: on the clipboard. selected: highlighted for the user to copy by hand. */
export type CopyResult = "copied" | "selected";

export async function copyText(text: string, shownIn: Element | null): Promise<CopyResult> {
  try {
    await navigator.clipboard.writeText(text);
    return "copied";
  } catch {
    // No Clipboard API here, or it was refused.
  }
  const selection = window.getSelection();
  if (!shownIn || !selection) return "selected";
  selection.selectAllChildren(shownIn);
  // The legacy command still copies a selection where the Clipboard API is unavailable.
  try {
    if (document.execCommand("copy")) return "copied";
  } catch {
    // Refused as well: the selection stays for the user.
  }
  return "selected";
}
