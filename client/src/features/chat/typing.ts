// Who is typing in each group, and telling the room that this user is. Typing
// notices are volatile: a "stopped" may be dropped, so a notice also expires.
import type { TypingNotice } from "@convoy/shared";
import { signal, type ReadonlySignal } from "@preact/signals";
import type { Clock } from "../../net/clock.ts";
import type { ChatSocket } from "../../net/socket-port.ts";
import { createTimers } from "../../net/timers.ts";
import { withEntry, type ByGroup } from "../by-group.ts";
import type { Feature } from "../feature.ts";

const TYPING_SHOWN_MS = 6000;
const TYPING_RESEND_MS = 2500;
const EXPIRE_EVERY_MS = 1000;

export interface Typing extends Feature {
  /** groupId → userId → who is typing, until when. */
  byGroup: ReadonlySignal<ByGroup<{ username: string; until: number }>>;
  /** Tells the room that the user is typing (at most every few seconds), or stopped. */
  send(groupId: string, typing: boolean): void;
  received(notice: TypingNotice): void;
}

export function createTyping({ socket, clock }: { socket: ChatSocket; clock: Clock }): Typing {
  const timers = createTimers(clock);
  const byGroup = signal<ByGroup<{ username: string; until: number }>>({});
  let sentAt = 0;
  let sentFor: string | null = null;

  /** Forgets notices whose sender went quiet. */
  function expire(): void {
    const now = clock.now();
    let changed = false;
    const next: typeof byGroup.value = {};
    for (const [groupId, users] of Object.entries(byGroup.value)) {
      next[groupId] = Object.fromEntries(
        Object.entries(users).filter(([, entry]) => entry.until > now || !(changed = true)),
      );
    }
    if (changed) byGroup.value = next;
  }

  return {
    byGroup,
    send(groupId, typing) {
      if (!socket.connected) return;
      const now = clock.now();
      if (typing && sentFor === groupId && now - sentAt < TYPING_RESEND_MS) return;
      if (!typing && sentFor !== groupId) return;
      sentFor = typing ? groupId : null;
      sentAt = typing ? now : 0;
      socket.emit("typing", { groupId, typing });
    },
    received(notice) {
      const entry = notice.typing
        ? { username: notice.username, until: clock.now() + TYPING_SHOWN_MS }
        : undefined;
      byGroup.value = withEntry(byGroup.value, notice.groupId, notice.userId, entry);
    },
    start() {
      timers.start();
      timers.every(EXPIRE_EVERY_MS, expire);
    },
    stop() {
      timers.stop();
    },
  };
}
