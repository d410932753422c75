// Who in each group is online, away or offline, and since when. Subscribes to
// every group the user follows (again after each reconnect), and turns the
// user away while the page is hidden.
import type { PresenceMember, PresenceUpdate } from "@convoy/shared";
import { signal, type ReadonlySignal } from "@preact/signals";
import type { Clock } from "../../net/clock.ts";
import { request } from "../../net/request.ts";
import type { PresenceSocket } from "../../net/socket-port.ts";
import { createTimers } from "../../net/timers.ts";
import { withEntry, type ByGroup } from "../by-group.ts";
import type { Feature } from "../feature.ts";

/** Whether the page is hidden, and when that changes (`document` is one). */
export interface PageVisibility {
  readonly hidden: boolean;
  addEventListener(type: "visibilitychange", listener: () => void): void;
  removeEventListener(type: "visibilitychange", listener: () => void): void;
}

export interface Presence extends Feature {
  /** groupId → userId → member. */
  byGroup: ReadonlySignal<ByGroup<PresenceMember>>;
  follow(groupId: string): void;
  /** Shows the members an earlier visit kept, until the server's answer replaces them. */
  restore(groupId: string, members: readonly PresenceMember[]): void;
}

const RETRY_SUBSCRIBE_MS = 1000;

export function createPresence({
  socket,
  page,
  clock,
}: {
  socket: PresenceSocket;
  page: PageVisibility;
  clock: Clock;
}): Presence {
  const timers = createTimers(clock);
  const byGroup = signal<ByGroup<PresenceMember>>({});
  const followed = new Set<string>();

  async function subscribe(groupId: string): Promise<void> {
    const reply = await request(socket, "presence:subscribe", { groupId });
    if (!reply.ok) {
      // Subscribing to many groups at once can meet the server's event limit: try again when it says.
      const wait = "retryAfterMs" in reply.error ? reply.error.retryAfterMs : undefined;
      if (reply.error.code === "RATE_LIMITED") {
        timers.after(wait ?? RETRY_SUBSCRIBE_MS, () => {
          if (socket.connected && followed.has(groupId)) void subscribe(groupId);
        });
      }
      return;
    }
    byGroup.value = {
      ...byGroup.value,
      [groupId]: Object.fromEntries(reply.data.members.map((m) => [m.userId, m])),
    };
  }

  const reportVisibility = () => {
    if (!socket.connected) return;
    socket.emit("presence:set", { status: page.hidden ? "away" : "online" }, () => {});
  };
  const onUpdate = ({ groupId, ...member }: PresenceUpdate) => {
    byGroup.value = withEntry(byGroup.value, groupId, member.userId, member);
  };
  const onConnect = () => {
    if (page.hidden) reportVisibility();
    for (const groupId of followed) void subscribe(groupId);
  };

  return {
    byGroup,
    restore(groupId, members) {
      if (byGroup.value[groupId]) return;
      byGroup.value = { ...byGroup.value, [groupId]: Object.fromEntries(members.map((m) => [m.userId, m])) };
    },
    follow(groupId) {
      if (followed.has(groupId)) return;
      followed.add(groupId);
      if (socket.connected) void subscribe(groupId);
    },
    start() {
      timers.start();
      socket.on("presence:update", onUpdate);
      socket.on("connect", onConnect);
      page.addEventListener("visibilitychange", reportVisibility);
    },
    stop() {
      socket.off("presence:update", onUpdate);
      socket.off("connect", onConnect);
      page.removeEventListener("visibilitychange", reportVisibility);
      timers.stop();
    },
  };
}
