// Messages typed but not yet stored by the server. They survive reconnects
// and reloads (kept on the device), go out in the order typed, one at a time,
// and a retry reuses the clientMsgId, so the server stores each once.
import type { ChatMessage } from "@convoy/shared";
import { signal, type ReadonlySignal } from "@preact/signals";
import type { Clock } from "../../net/clock.ts";
import { request } from "../../net/request.ts";
import type { ChatSocket } from "../../net/socket-port.ts";
import type { JsonStorage } from "../../net/storage.ts";
import type { Feature } from "../feature.ts";

export interface OutgoingMessage {
  clientMsgId: string;
  groupId: string;
  text: string;
  /** pending: waiting for the server's ack (or for the connection). failed: the user may retry. */
  state: "pending" | "failed";
  error?: string;
  createdAt: number;
}

export interface Outbox extends Feature {
  messages: ReadonlySignal<OutgoingMessage[]>;
  /** Queues a message; flush() sends it. */
  add(groupId: string, text: string): void;
  retry(clientMsgId: string): void;
  discard(clientMsgId: string): void;
  /** The server has it (echoed by `message:new`, maybe sent by another tab): no longer outgoing. */
  delivered(groupId: string, clientMsgId: string): void;
  /** Sends what is pending, if connected. */
  flush(): void;
}

export function createOutbox({
  socket,
  storage,
  clock,
  key,
  onSent,
  newId = () => crypto.randomUUID(),
}: {
  socket: ChatSocket;
  storage: JsonStorage;
  clock: Clock;
  /** Storage key, one per user. */
  key: string;
  /** The server stored a message (its ack). */
  onSent: (message: ChatMessage) => void;
  newId?: () => string;
}): Outbox {
  // What waited when the page closed is sent again: pending, whatever it was.
  const messages = signal(
    storage.loadJson<OutgoingMessage[]>(key, []).map((m): OutgoingMessage => ({ ...m, state: "pending" })),
  );
  let running = false;
  let flushing = false;

  function set(next: OutgoingMessage[]): void {
    messages.value = next;
    storage.saveJson(key, next);
  }

  function update(clientMsgId: string, change: Partial<OutgoingMessage> | null): void {
    set(
      change === null
        ? messages.value.filter((m) => m.clientMsgId !== clientMsgId)
        : messages.value.map((m) => (m.clientMsgId === clientMsgId ? { ...m, ...change } : m)),
    );
  }

  /** Resolves false when the message is still pending (no answer, connection lost). */
  async function deliver(message: OutgoingMessage): Promise<boolean> {
    const reply = await request(socket, "message:send", {
      groupId: message.groupId,
      text: message.text,
      clientMsgId: message.clientMsgId,
    });
    if (reply.ok) {
      onSent(reply.data.message);
      update(message.clientMsgId, null);
      return true;
    }
    if (reply.error.code === "TIMEOUT" && !socket.connected) return false;
    update(message.clientMsgId, { state: "failed", error: reply.error.message });
    return true;
  }

  /** Sends in creation order, one at a time, so the group sees them in the order typed. */
  function flush(): void {
    if (flushing) return; // the loop under way picks up what was added meanwhile
    flushing = true;
    void (async () => {
      try {
        for (;;) {
          const next = messages.value.find((m) => m.state === "pending");
          if (!running || !next || !socket.connected) break;
          // Still pending: the connection dropped mid-send; the next connect sends it again.
          if (!(await deliver(next))) break;
        }
      } finally {
        // Cleared as soon as the loop ends (even at once), so a flush right after is not lost.
        flushing = false;
      }
    })();
  }

  return {
    messages,
    add(groupId, text) {
      const outgoing: OutgoingMessage = {
        clientMsgId: newId(),
        groupId,
        text: text.trim(),
        state: "pending",
        createdAt: clock.now(),
      };
      set([...messages.value, outgoing]);
    },
    retry(clientMsgId) {
      update(clientMsgId, { state: "pending", error: undefined });
      flush();
    },
    discard: (clientMsgId) => update(clientMsgId, null),
    delivered(groupId, clientMsgId) {
      if (messages.value.some((m) => m.clientMsgId === clientMsgId && m.groupId === groupId))
        update(clientMsgId, null);
    },
    flush,
    start() {
      running = true;
    },
    stop() {
      running = false;
    },
  };
}
