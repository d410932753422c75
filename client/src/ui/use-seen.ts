// Whether the user can see an element now: it is laid out on screen (not in a
// pane hidden behind another tab) and the browser tab itself is visible.
import { useEffect, useState, type MutableRef } from "preact/hooks";

/**
 * True while the element is seen. The observer reports a change a frame late,
 * so a decision that must be right now (is this message read?) asks `seenNow`.
 */
export function useSeen(ref: MutableRef<Element | null>): boolean {
  const [onScreen, setOnScreen] = useState(false);
  const [tabVisible, setTabVisible] = useState(!document.hidden);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new IntersectionObserver((entries) => {
      const last = entries.at(-1);
      if (last) setOnScreen(last.isIntersecting);
    });
    observer.observe(element);
    const onVisibility = () => setTabVisible(!document.hidden);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      observer.disconnect();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, []);
  return onScreen && tabVisible;
}

/** Seen at this instant: laid out (a pane hidden with display: none has no boxes) in a visible tab. */
export function seenNow(element: Element | null): boolean {
  return element !== null && !document.hidden && element.getClientRects().length > 0;
}
