// SOS on /location for every group of the user: raising one (retried with the
// same clientSosId until the server answers), the open alerts of all groups
// (asked again with sos:active on every connect, since missed events are not
// replayed), this user's receipts for each (forward-only: delivered, seen
// when on screen, acknowledged by "I'm coming"), resolving, and the alarm.
import { LIMITS, sosReceiptRank, type Sos, type SosFix, type SosReceiptState } from "@convoy/shared";
import { signal, type ReadonlySignal } from "@preact/signals";
import type { Clock } from "../../net/clock.ts";
import { request, type Reply } from "../../net/request.ts";
import type { LocationSocket } from "../../net/socket-port.ts";
import type { DurableQueue } from "../../net/durable-queue.ts";
import { createTimers } from "../../net/timers.ts";
import type { Feature } from "../feature.ts";
import { stillKept } from "../outbox/outbox-policy.ts";
import type { PageVisibility } from "../presence/presence.ts";
import type { Alarm } from "./alarm.ts";
import { mergeSos, stepOf } from "./merge-sos.ts";

/** An SOS this user raised that the server has not answered yet. */
export interface PendingRaise {
  clientSosId: string;
  groupId: string;
  note: string | null;
  /** The last own fix when it was raised; a newer one goes out on a retry. */
  fix: SosFix | null;
  createdAt: number;
}

export interface SosAlerts extends Feature {
  /** The open SOSes of all the user's groups, this user's own too, oldest first. */
  open: ReadonlySignal<Sos[]>;
  /** Raised here, not yet answered by the server (sent again on every connect). */
  raising: ReadonlySignal<PendingRaise[]>;
  /** sosId → this user's step as far as this device got (sent or on its way). */
  steps: ReadonlySignal<Record<string, SosReceiptState>>;
  /** The alarm cannot sound until the user taps the page: show them soundAlarm(). */
  alarmBlocked: ReadonlySignal<boolean>;
  /** Why the last raise or resolve was refused, for the user. */
  problem: ReadonlySignal<string | null>;
  /** The SOS whose fix the map should show. */
  mapFocus: ReadonlySignal<string | null>;
  /** Another member's SOS this user has not answered with "I'm coming". */
  needsAttention(sos: Sos): boolean;
  /** The raiser, or a member who acknowledged, may resolve. */
  canResolve(sos: Sos): boolean;
  raise(groupId: string, note: string): void;
  acknowledge(sosId: string): void;
  resolve(sosId: string): Promise<void>;
  /** The view shows this SOS now (null: none): it is seen while the page is visible. */
  showing(sosId: string | null): void;
  /** From a tap: sounds the alarm where the browser held it back. */
  soundAlarm(): void;
  focusOnMap(sosId: string | null): void;
}

const RETRY_MS = 3000;
/** Answers that may go better a moment later; others will not. */
const RETRYABLE = new Set(["TIMEOUT", "INTERNAL", "RATE_LIMITED"]);
const BIDI_OR_CONTROL = /[\p{Cc}\u202A-\u202E\u2066-\u2069]+/gu;

/** The note as the server takes it: one line, trimmed, at most LIMITS.sosNote, null when empty. */
export function sosNote(text: string): string | null {
  let note = text.replace(BIDI_OR_CONTROL, " ").replace(/\s+/g, " ").trim().slice(0, LIMITS.sosNote);
  // Cut in the middle of a surrogate pair, the note would not be well-formed.
  if (/[\uD800-\uDBFF]$/.test(note)) note = note.slice(0, -1);
  return note.trim() === "" ? null : note.trim();
}

const rankOf = (state: SosReceiptState | undefined) => (state ? sosReceiptRank(state) : 0);

const retryWait = (reply: Reply<unknown>) =>
  !reply.ok && "retryAfterMs" in reply.error ? (reply.error.retryAfterMs ?? RETRY_MS) : RETRY_MS;

export function createSos({
  socket,
  queue,
  clock,
  page,
  alarm,
  userId,
  lastFix,
  newId = () => crypto.randomUUID(),
}: {
  socket: LocationSocket;
  /** The user's pending raises, kept on the device (outbox-policy.ts). */
  queue: DurableQueue<PendingRaise>;
  clock: Clock;
  page: PageVisibility;
  alarm: Alarm;
  userId: string;
  /** This device's latest own fix, if it has one. */
  lastFix: () => SosFix | null;
  newId?: () => string;
}): SosAlerts {
  const timers = createTimers(clock);
  const open = signal<Sos[]>([]);
  const raising = signal<PendingRaise[]>([]);
  const steps = signal<Record<string, SosReceiptState>>({});
  const alarmBlocked = signal(false);
  const problem = signal<string | null>(null);
  const mapFocus = signal<string | null>(null);
  /** Resolved ones never come back, even from an answer that was already on its way. */
  const resolved = new Set<string>();
  /** sosId → the rank of the receipt on its way. */
  const inFlight = new Map<string, number>();
  /** sosId → the sentCount the alarm last rang for. */
  const rung = new Map<string, number>();
  /** clientSosIds whose raise is on its way. */
  const raisesInFlight = new Set<string>();
  let shown: string | null = null;
  let running = false;
  let loaded = false;
  let ringing = false;

  const find = (sosId: string) => open.value.find((s) => s.id === sosId);
  /** This user's step, here or on the server (another device of theirs may be ahead). */
  const rankHere = (sos: Sos) => Math.max(rankOf(steps.value[sos.id]), rankOf(stepOf(sos, userId)?.state));
  const needsAttention = (sos: Sos) =>
    sos.userId !== userId && rankHere(sos) < sosReceiptRank("acknowledged");
  const canResolve = (sos: Sos) => sos.userId === userId || stepOf(sos, userId)?.state === "acknowledged";

  function addRaising(pending: PendingRaise): void {
    raising.value = [...raising.value, pending];
    void queue.put(pending.clientSosId, pending);
  }

  function removeRaising(clientSosId: string): void {
    raising.value = raising.value.filter((p) => p.clientSosId !== clientSosId);
    void queue.remove(clientSosId);
  }

  /** What was raised just before a reload still goes out, unless it is long past. */
  async function loadRaising(): Promise<void> {
    const kept = await queue.load();
    if (!running) return;
    const now = clock.now();
    // One SOS per group: one raised since the page opened stands for an older one of that group.
    const fresh = new Set(raising.value.map((p) => p.groupId));
    const restored: PendingRaise[] = [];
    for (const p of kept) {
      if (raising.value.some((r) => r.clientSosId === p.clientSosId)) continue;
      if (stillKept("sos", p.createdAt, now) && !fresh.has(p.groupId)) restored.push(p);
      else void queue.remove(p.clientSosId);
    }
    raising.value = [...restored, ...raising.value];
    loaded = true;
    for (const pending of restored) void sendRaise(pending);
  }

  /** Nobody's SOS waits for this user any more: the alarm has nothing to say. */
  function quietIfAnswered(): void {
    if (!ringing || open.value.some(needsAttention)) return;
    ringing = false;
    alarm.stop();
    alarmBlocked.value = false;
  }

  function ring(): void {
    ringing = true;
    void alarm.ring().then((result) => {
      if (running) alarmBlocked.value = result === "blocked" && open.value.some(needsAttention);
    });
  }

  function upsert(sos: Sos): Sos | undefined {
    if (sos.resolvedAt !== null || resolved.has(sos.id)) {
      drop(sos.id);
      return undefined;
    }
    const merged = mergeSos(find(sos.id), sos);
    const others = open.value.filter((s) => s.id !== sos.id);
    open.value = [...others, merged].sort((a, b) => a.raisedAt - b.raisedAt);
    return merged;
  }

  function drop(sosId: string): void {
    resolved.add(sosId);
    if (find(sosId)) open.value = open.value.filter((s) => s.id !== sosId);
    rung.delete(sosId);
    inFlight.delete(sosId);
    if (mapFocus.value === sosId) mapFocus.value = null;
    quietIfAnswered();
  }

  /** An SOS arrived (alert, update, the active list): receipt it and sound the alarm if it is new or sent again. */
  function received(sos: Sos): void {
    const merged = upsert(sos);
    if (!merged || merged.userId === userId) return;
    advance(merged.id, "delivered");
    if (shown === merged.id) seeIfVisible();
    if (needsAttention(merged) && (rung.get(merged.id) ?? 0) < merged.sentCount) {
      rung.set(merged.id, merged.sentCount);
      ring();
    }
    quietIfAnswered();
  }

  /** This user got as far as `state`: remembered here and told to the server (never a lower step). */
  function advance(sosId: string, state: SosReceiptState): void {
    const current = steps.value[sosId];
    if (!current || sosReceiptRank(state) > sosReceiptRank(current))
      steps.value = { ...steps.value, [sosId]: state };
    sendStep(sosId);
  }

  function sendStep(sosId: string): void {
    const sos = find(sosId);
    const wanted = steps.value[sosId];
    if (!running || !socket.connected || !sos || !wanted || sos.userId === userId) return;
    const rank = sosReceiptRank(wanted);
    if (rankOf(stepOf(sos, userId)?.state) >= rank || (inFlight.get(sosId) ?? 0) >= rank) return;
    inFlight.set(sosId, rank);
    void request(socket, "sos:receipt", { sosId, state: wanted }).then((reply) => {
      if (inFlight.get(sosId) === rank) inFlight.delete(sosId);
      if (reply.ok) return void received(reply.data.sos);
      if (reply.error.code === "CONFLICT") return drop(sosId);
      // Disconnected: the next connect sends it; still connected: try again shortly.
      if (RETRYABLE.has(reply.error.code)) timers.after(retryWait(reply), () => sendStep(sosId));
    });
  }

  function seeIfVisible(): void {
    if (shown && !page.hidden && find(shown)) advance(shown, "seen");
  }

  async function sendRaise(pending: PendingRaise): Promise<void> {
    // Not held back until the kept raises are read: an SOS goes at once.
    if (!running || !socket.connected || raisesInFlight.has(pending.clientSosId)) return;
    raisesInFlight.add(pending.clientSosId);
    const reply = await request(socket, "sos:raise", {
      groupId: pending.groupId,
      clientSosId: pending.clientSosId,
      note: pending.note,
      fix: lastFix() ?? pending.fix,
    });
    raisesInFlight.delete(pending.clientSosId);
    if (!raising.value.some((p) => p.clientSosId === pending.clientSosId)) return;
    if (!reply.ok && RETRYABLE.has(reply.error.code)) {
      // The same clientSosId again: if the first one did arrive, the server answers that SOS.
      if (socket.connected) timers.after(retryWait(reply), () => void sendRaise(pending));
      return;
    }
    removeRaising(pending.clientSosId);
    if (reply.ok) received(reply.data.sos);
    else problem.value = `Your SOS could not be sent: ${reply.error.message}`;
  }

  async function loadActive(): Promise<void> {
    const before = new Set(open.value.map((s) => s.id));
    const reply = await request(socket, "sos:active", {});
    if (!running) return;
    if (!reply.ok) {
      if (RETRYABLE.has(reply.error.code) && socket.connected)
        timers.after(retryWait(reply), () => void (socket.connected && loadActive()));
      return;
    }
    // Known before the question and not open now: resolved while this device was away.
    const stillOpen = new Set(reply.data.alerts.map((s) => s.id));
    for (const sosId of before) if (!stillOpen.has(sosId)) drop(sosId);
    for (const sos of reply.data.alerts) received(sos);
    // A step that did not get through before the drop goes now.
    for (const sos of open.value) sendStep(sos.id);
  }

  const onAlert = (sos: Sos) => received(sos);
  const onResolved = (sos: Sos) => drop(sos.id);
  const onConnect = () => {
    void loadActive();
    for (const pending of raising.value) void sendRaise(pending);
  };
  const onVisibility = () => seeIfVisible();

  return {
    open,
    raising,
    steps,
    alarmBlocked,
    problem,
    mapFocus,
    needsAttention,
    canResolve,
    raise(groupId, note) {
      problem.value = null;
      // One SOS per group: pressing again while it is on its way sends nothing new.
      const waiting = raising.value.find((p) => p.groupId === groupId);
      if (waiting) return void sendRaise(waiting);
      const pending: PendingRaise = {
        clientSosId: newId(),
        groupId,
        note: sosNote(note),
        fix: lastFix(),
        createdAt: clock.now(),
      };
      addRaising(pending);
      void sendRaise(pending);
    },
    acknowledge(sosId) {
      advance(sosId, "acknowledged");
      quietIfAnswered();
    },
    async resolve(sosId) {
      problem.value = null;
      if (!socket.connected) {
        problem.value = "Not resolved: no connection. Try again when it is back.";
        return;
      }
      const reply = await request(socket, "sos:resolve", { sosId });
      if (reply.ok || reply.error.code === "CONFLICT") return drop(sosId);
      problem.value =
        reply.error.code === "TIMEOUT"
          ? "Not resolved: no connection. Try again when it is back."
          : `Not resolved: ${reply.error.message}`;
    },
    showing(sosId) {
      shown = sosId;
      seeIfVisible();
    },
    soundAlarm() {
      if (open.value.some(needsAttention)) ring();
    },
    focusOnMap(sosId) {
      mapFocus.value = sosId;
    },
    start() {
      running = true;
      timers.start();
      if (!loaded) void loadRaising();
      socket.on("sos:alert", onAlert);
      socket.on("sos:update", onAlert);
      socket.on("sos:resolved", onResolved);
      socket.on("connect", onConnect);
      page.addEventListener("visibilitychange", onVisibility);
      if (socket.connected) onConnect();
    },
    stop() {
      running = false;
      socket.off("sos:alert", onAlert);
      socket.off("sos:update", onAlert);
      socket.off("sos:resolved", onResolved);
      socket.off("connect", onConnect);
      page.removeEventListener("visibilitychange", onVisibility);
      timers.stop();
      ringing = false;
      alarm.stop();
    },
  };
}
