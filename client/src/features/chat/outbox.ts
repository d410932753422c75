// Messages typed but not yet stored by the server, for the group chat and for
// direct messages alike. They survive reconnects, reloads and browser restarts
// (kept in a DurableQueue), go out in the order typed, one at a time, once
// loaded and connected, and a retry reuses the clientMsgId, so the server
// stores each once.
import { signal, type ReadonlySignal } from "@preact/signals";
import type { Clock } from "../../net/clock.ts";
import type { Reply } from "../../net/request.ts";
import type { DurableQueue } from "../../net/durable-queue.ts";
import type { Feature } from "../feature.ts";

export interface Outgoing {
  clientMsgId: string;
  text: string;
  /** pending: waiting for the server's ack (or for the connection). failed: the user may retry. */
  state: "pending" | "failed";
  error?: string;
  createdAt: number;
}

/** An outgoing message and where it goes (`{groupId}`, or `{toUserId}` for a direct message). */
export type OutgoingTo<A> = A & Outgoing;
export type OutgoingMessage = OutgoingTo<{ groupId: string }>;

export interface Outbox<A> extends Feature {
  messages: ReadonlySignal<Array<OutgoingTo<A>>>;
  /** Queues a message; flush() sends it. */
  add(to: A, text: string): void;
  retry(clientMsgId: string): void;
  discard(clientMsgId: string): void;
  /** The server has it (echoed live, maybe sent by another tab): no longer outgoing. */
  delivered(conversation: string, clientMsgId: string): void;
  /** Sends what is pending, if connected. */
  flush(): void;
}

export function createOutbox<A extends object, M>({
  socket,
  queue,
  clock,
  conversationOf,
  send,
  onSent,
  newId = () => crypto.randomUUID(),
}: {
  socket: { readonly connected: boolean };
  /** The user's queue of this kind (see outbox-policy.ts). */
  queue: DurableQueue<OutgoingTo<A>>;
  clock: Clock;
  /** The conversation a message belongs to (a group id, the other user's id). */
  conversationOf: (to: A) => string;
  /** Asks the server to store it. */
  send: (message: OutgoingTo<A>) => Promise<Reply<{ message: M }>>;
  /** The server stored a message (its ack). */
  onSent: (message: M) => void;
  newId?: () => string;
}): Outbox<A> {
  const messages = signal<Array<OutgoingTo<A>>>([]);
  let running = false;
  let flushing = false;
  /** Nothing is sent before what waited in the queue is loaded: it goes first. */
  let loaded = false;

  function update(clientMsgId: string, change: Partial<Outgoing> | null): void {
    const current = messages.value.find((m) => m.clientMsgId === clientMsgId);
    if (!current) return;
    if (change === null) {
      messages.value = messages.value.filter((m) => m !== current);
      void queue.remove(clientMsgId);
      return;
    }
    const next = { ...current, ...change };
    messages.value = messages.value.map((m) => (m === current ? next : m));
    void queue.put(clientMsgId, next);
  }

  async function load(): Promise<void> {
    const kept = await queue.load();
    if (!running) return;
    // What waited when the page closed is sent again: pending, whatever it was.
    const restored = kept.map((m): OutgoingTo<A> => ({ ...m, state: "pending", error: undefined }));
    const ids = new Set(restored.map((m) => m.clientMsgId));
    messages.value = [...restored, ...messages.value.filter((m) => !ids.has(m.clientMsgId))];
    loaded = true;
    flush();
  }

  /** Resolves false when the message is still pending (no answer, connection lost). */
  async function deliver(message: OutgoingTo<A>): Promise<boolean> {
    const reply = await send(message);
    if (reply.ok) {
      onSent(reply.data.message);
      update(message.clientMsgId, null);
      return true;
    }
    if (reply.error.code === "TIMEOUT" && !socket.connected) return false;
    update(message.clientMsgId, { state: "failed", error: reply.error.message });
    return true;
  }

  /** Sends in creation order, one at a time, so the other side sees them in the order typed. */
  function flush(): void {
    if (flushing) return; // the loop under way picks up what was added meanwhile
    flushing = true;
    void (async () => {
      try {
        for (;;) {
          const next = messages.value.find((m) => m.state === "pending");
          if (!running || !loaded || !next || !socket.connected) break;
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
    add(to, text) {
      const outgoing: OutgoingTo<A> = {
        ...to,
        clientMsgId: newId(),
        text: text.trim(),
        state: "pending",
        createdAt: clock.now(),
      };
      messages.value = [...messages.value, outgoing];
      void queue.put(outgoing.clientMsgId, outgoing);
    },
    retry(clientMsgId) {
      update(clientMsgId, { state: "pending", error: undefined });
      flush();
    },
    discard: (clientMsgId) => update(clientMsgId, null),
    delivered(conversation, clientMsgId) {
      const match = (m: OutgoingTo<A>) => m.clientMsgId === clientMsgId && conversationOf(m) === conversation;
      const found = messages.value.find(match);
      if (found) update(found.clientMsgId, null);
    },
    flush,
    start() {
      running = true;
      if (!loaded) void load();
    },
    stop() {
      running = false;
    },
  };
}
