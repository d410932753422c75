// Where the reader is in a conversation, kept across renders. Messages that
// arrive above, in between (a catch-up after a reconnect) or below never move
// what the reader is looking at, unless the reader was at the newest, in
// which case the view follows, stopping at the "New messages" divider when
// more arrived than fits. Messages count as read only once scrolled to while
// the conversation is on screen.
import type { ReadonlySignal } from "@preact/signals";
import { useLayoutEffect, useRef, useState, type MutableRef } from "preact/hooks";
import { seenNow } from "../../ui/use-seen.ts";
import type { Said } from "./merge.ts";

/** Within this many pixels of the end, the reader counts as reading the newest messages. */
const AT_BOTTOM_PX = 48;

interface Place {
  /** The list has been laid out once (it may start hidden behind another tab). */
  initialized: boolean;
  atBottom: boolean;
  height: number;
  /** The first message (data-key) at least partly in view, and how far below the list's top it was. */
  anchorKey: string;
  anchorOffset: number;
  lastId: string;
  pending: number;
  readMark: string | null;
  seen: boolean;
}

export interface ReadingPlace {
  atBottom: boolean;
  onScroll: () => void;
  /** Scrolls to the newest message and keeps keyboard focus in the list. */
  jumpToNewest: () => void;
  /** The newest message from someone else, for a live region; `n` changes with every announcement. */
  announcement: { n: number; text: string };
}

/** A conversation's read marks, as the group chat and direct messages both keep them. */
export interface ReadState {
  /** Conversation → id of the newest message seen. */
  lastRead: ReadonlySignal<Record<string, string>>;
  markRead(conversation: string): void;
}

export function useReadingPlace(options: {
  marks: ReadState;
  list: MutableRef<HTMLOListElement | null>;
  section: MutableRef<HTMLElement | null>;
  /** A group id, or the other user's id. */
  conversation: string;
  me: string;
  messages: readonly Said[];
  pendingCount: number;
  seen: boolean;
  readMark: string | null;
  setReadMark: (id: string | null) => void;
}): ReadingPlace {
  const { marks, list, section, conversation, me, messages, pendingCount, seen, readMark, setReadMark } =
    options;
  const lastId = messages.at(-1)?.id ?? "";
  const place = useRef<Place>({
    initialized: false,
    atBottom: true,
    height: 0,
    anchorKey: "",
    anchorOffset: 0,
    lastId: "",
    pending: 0,
    readMark,
    seen: false,
  });
  const [atBottom, setAtBottom] = useState(true);
  const [announcement, setAnnouncement] = useState({ n: 0, text: "" });

  const markIfSeen = () => {
    if (place.current.atBottom && seenNow(section.current)) marks.markRead(conversation);
  };

  /** Reads the list's geometry; a hidden list (display: none) has none, and what was known stays. */
  const remember = (el: HTMLOListElement) => {
    if (el.clientHeight === 0) return;
    const now = place.current;
    now.atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < AT_BOTTOM_PX;
    now.height = el.scrollHeight;
    const top = el.getBoundingClientRect().top;
    const anchor = [...el.querySelectorAll<HTMLElement>("li[data-key]")].find(
      (li) => li.getBoundingClientRect().bottom > top,
    );
    now.anchorKey = anchor?.dataset.key ?? "";
    now.anchorOffset = anchor ? anchor.getBoundingClientRect().top - top : 0;
    setAtBottom(now.atBottom);
  };

  /** To the newest message; with `toDivider`, to the divider instead when what is new is taller than the view. */
  const showNewest = (el: HTMLOListElement, toDivider: boolean) => {
    const divider = toDivider ? el.querySelector<HTMLElement>("li.divider") : null;
    if (divider) {
      const dividerTop = divider.getBoundingClientRect().top - el.getBoundingClientRect().top;
      if (el.scrollHeight - (el.scrollTop + dividerTop) > el.clientHeight) {
        el.scrollTop += dividerTop;
        return;
      }
    }
    el.scrollTop = el.scrollHeight;
  };

  const keepAnchor = (el: HTMLOListElement) => {
    const key = place.current.anchorKey;
    const anchor = key ? el.querySelector<HTMLElement>(`li[data-key="${CSS.escape(key)}"]`) : null;
    if (anchor)
      el.scrollTop +=
        anchor.getBoundingClientRect().top - el.getBoundingClientRect().top - place.current.anchorOffset;
  };

  useLayoutEffect(() => {
    const el = list.current;
    const back = seen && !place.current.seen;
    place.current.seen = seen;
    // Hidden behind another tab: act once it is shown (`seen` is a dependency).
    if (!el || el.clientHeight === 0) return;
    const before = place.current;
    const arrived = lastId > before.lastId ? messages.filter((m) => m.id > before.lastId) : [];
    const fromOthers = arrived.filter((m) => m.userId !== me);
    const newest = fromOthers.at(-1);
    if (newest && before.initialized)
      setAnnouncement((a) => ({ n: a.n + 1, text: `${newest.username}: ${newest.text}` }));
    const markMoved = readMark !== before.readMark;
    const read = marks.lastRead.value[conversation] ?? null;

    if (pendingCount > before.pending)
      el.scrollTop = el.scrollHeight; // the reader just sent
    else if (!before.initialized || (before.atBottom && (arrived.length > 0 || markMoved || back))) {
      // More arrived than fits (a catch-up after a reconnect): the divider goes where it starts.
      const burst =
        before.initialized && fromOthers.length > 0 && el.scrollHeight - before.height > el.clientHeight;
      // So does coming back (the tab shown again, or the Chat pane on a phone) to what arrived meanwhile.
      if ((burst || back) && !markMoved && read !== null && read !== readMark && read < lastId) {
        setReadMark(read); // placed at the divider on the next render
        Object.assign(place.current, { lastId, pending: pendingCount });
        return;
      }
      showNewest(el, !before.initialized || markMoved || burst);
    } else keepAnchor(el);
    Object.assign(place.current, { initialized: true, lastId, pending: pendingCount, readMark });
    remember(el);
    markIfSeen();
  }, [messages, pendingCount, readMark, seen]);

  return {
    atBottom,
    announcement,
    onScroll: () => {
      if (!list.current) return;
      remember(list.current);
      markIfSeen();
    },
    jumpToNewest: () => {
      const el = list.current;
      if (!el) return;
      el.focus();
      el.scrollTop = el.scrollHeight;
    },
  };
}
