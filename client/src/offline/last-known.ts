// What the app last knew: the user's groups, and each group's newest messages
// and members, kept on the device so that the app opened without a network
// shows them (with their age) instead of nothing. Saved a second after they
// change (at most once a second), and only while they are live (an old copy
// is never saved as new); restored before the server's first answer, which
// then replaces them.
import type { ChatMessage, Group, PresenceMember } from "@convoy/shared";
import { effect, signal, type ReadonlySignal } from "@preact/signals";
import type { Chat } from "../features/chat/chat.ts";
import type { Feature } from "../features/feature.ts";
import type { Groups } from "../features/groups/groups.ts";
import type { Presence } from "../features/presence/presence.ts";
import type { Clock, TimerId } from "../net/clock.ts";
import type { JsonStorage } from "../net/storage.ts";
import { createTimers } from "../net/timers.ts";

export interface KeptGroup {
  messages: ChatMessage[];
  /** The newest id up to which the kept messages miss nothing (the catch-up starts there). */
  completeThrough: string | null;
  members: PresenceMember[];
}

export interface KeptState {
  savedAt: number;
  groups: Group[];
  byGroup: Record<string, KeptGroup>;
}

export interface LastKnown extends Feature {
  /** When what is shown was saved, while it comes from this device and not from the server; else null. */
  shownFrom: ReadonlySignal<number | null>;
  /** Shows what was kept; false when nothing was. */
  restore(): boolean;
  /** The server answered: what is shown is live from now on (and kept as it changes). */
  live(): void;
  /** Signed out: nothing of this user stays on the device. */
  forget(): void;
}

/** Per group: enough to read back a conversation, not the whole history. */
export const KEPT_MESSAGES = 50;
export const SAVE_AFTER_MS = 1000;

export function createLastKnown({
  storage,
  clock,
  userId,
  groups,
  chat,
  presence,
}: {
  storage: JsonStorage;
  clock: Clock;
  userId: string;
  groups: Pick<Groups, "list" | "restore">;
  chat: Pick<Chat, "messagesByGroup" | "completeThrough" | "restore">;
  presence: Pick<Presence, "byGroup" | "restore">;
}): LastKnown {
  const key = `convoy.${userId}.lastKnown`;
  const timers = createTimers(clock);
  const shownFrom = signal<number | null>(null);
  let isLive = false;
  let saveTimer: TimerId | undefined;
  let stopWatching: (() => void) | undefined;

  function keptGroup(groupId: string): KeptGroup {
    const messages = (chat.messagesByGroup.peek()[groupId] ?? []).slice(-KEPT_MESSAGES);
    const through = chat.completeThrough(groupId) ?? null;
    return {
      messages,
      // Only a point inside what is kept: older than that, the catch-up would start before the kept messages.
      completeThrough: through !== null && messages.some((m) => m.id === through) ? through : null,
      members: Object.values(presence.byGroup.peek()[groupId] ?? {}),
    };
  }

  function save(): void {
    const list = groups.list.peek();
    const state: KeptState = {
      savedAt: clock.now(),
      groups: list,
      byGroup: Object.fromEntries(list.map((g) => [g.id, keptGroup(g.id)])),
    };
    storage.saveJson(key, state);
  }

  return {
    shownFrom,
    restore() {
      const kept = storage.loadJson<KeptState | null>(key, null);
      if (!kept || !Array.isArray(kept.groups) || kept.groups.length === 0) return false;
      groups.restore(kept.groups);
      for (const [groupId, group] of Object.entries(kept.byGroup ?? {})) {
        chat.restore(groupId, group.messages ?? [], group.completeThrough ?? null);
        presence.restore(groupId, group.members ?? []);
      }
      if (!isLive) shownFrom.value = kept.savedAt;
      return true;
    },
    live() {
      isLive = true;
      shownFrom.value = null;
      save();
    },
    forget() {
      isLive = false;
      timers.cancel(saveTimer);
      saveTimer = undefined;
      storage.remove(key);
    },
    start() {
      timers.start();
      // Reads the three signals, so it runs again whenever one of them changes.
      stopWatching = effect(() => {
        void groups.list.value;
        void chat.messagesByGroup.value;
        void presence.byGroup.value;
        // At most one save a second: a busy chat changes this more often than that, and
        // waiting for a quiet second would never save.
        if (!isLive || saveTimer !== undefined) return;
        saveTimer = timers.after(SAVE_AFTER_MS, () => {
          saveTimer = undefined;
          save();
        });
      });
    },
    stop() {
      stopWatching?.();
      timers.stop();
      saveTimer = undefined;
    },
  };
}
