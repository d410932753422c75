// Turns a namespace's event handlers into Socket.IO listeners that limit the
// rate per socket and per user, validate the payload against its schema,
// answer the ack exactly once, map thrown errors to codes, and record metrics.
// Nothing escapes as an unhandled rejection.
import { parseInput, type AckDataOf, type AckResult, type InputOf, type InputSchemas } from "@convoy/shared";
import { AppError, failure, toFailure } from "../errors.ts";
import type { UserEventLimits } from "../guards/user-event-limits.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { createTokenBucket } from "./token-bucket.ts";

type Listener = (...args: unknown[]) => void;
/** The part of a Socket.IO socket this module needs: payloads are untrusted, so they are `unknown`. */
interface EventSource {
  on(event: string, listener: Listener): unknown;
  /** Socket.IO's parser also takes a number as an event name. */
  onAny(listener: (event: string | number, ...args: unknown[]) => void): unknown;
  data: { user: { id: string } };
}

type Ack = (result: AckResult<unknown>) => void;
const noop = () => {};
const takeAck = (args: unknown[]): Ack => {
  const last = args[args.length - 1];
  return typeof last === "function" ? (args.pop() as Ack) : noop;
};

/** One event of one binder: the same for every socket. */
interface EventEntry {
  dispatch(guard: () => AppError | null, run: (input: never) => Promise<unknown>, args: unknown[]): void;
}

/**
 * Per socket: its event limits, and the handler of each event. Several
 * modules may bind handlers on one namespace's sockets (e.g. /location's and
 * SOS's), each binder with the namespace's whole input map: their events then
 * share the socket's limits, and an unknown event is answered once. One
 * `onAny` listener per socket dispatches every event: a socket holds one
 * closure per event (its handler), not a listener and its wrappers each.
 */
interface SocketEvents {
  /** Null when the event may go on; checked before anything else is done for it. */
  guard: () => AppError | null;
  handlers: Map<string, [EventEntry, (input: never) => Promise<unknown>]>;
}
const socketEvents = new WeakMap<EventSource, SocketEvents>();

export function createEventBinder<E>(
  namespace: string,
  inputs: InputSchemas<E>,
  deps: {
    metrics: Metrics;
    logger: Logger;
    limits: { eventsPerSocketPerSecond: number };
    guards: { userEvents: UserEventLimits };
  },
) {
  const { eventsPerSocketPerSecond } = deps.limits;
  const instruments = new Map<string, ReturnType<Metrics["forEvent"]>>();
  const instrumentsOf = (event: string) => {
    let found = instruments.get(event);
    if (!found) instruments.set(event, (found = deps.metrics.forEvent(namespace, event)));
    return found;
  };

  const entries = new Map<string, EventEntry>();
  const entryOf = (event: keyof E & string): EventEntry => {
    let entry = entries.get(event);
    if (entry) return entry;
    const schema = inputs[event];
    const metrics = instrumentsOf(event);
    const ackFailed = (err: unknown) => deps.logger.error({ err, namespace, event }, "ack failed");

    async function dispatch(
      guard: () => AppError | null,
      run: (input: never) => Promise<unknown>,
      args: unknown[],
    ): Promise<void> {
      const ack = takeAck(args);
      metrics.received.count++;
      // Only an event with an ack is timed: the figure is the wait for the answer.
      const stopTimer = ack === noop ? noop : metrics.duration.startTimer();
      let result: AckResult<unknown>;
      const limited = guard();
      const parsed = limited || args.length !== 1 ? null : parseInput(schema, args[0]);
      if (limited) result = toFailure(limited);
      else if (!parsed) result = failure("VALIDATION_FAILED", "expected one payload object");
      else if (!parsed.ok) result = failure("VALIDATION_FAILED", parsed.message);
      else {
        try {
          // The schema of this event parsed it: the input its handler takes.
          result = { ok: true, data: await run(parsed.data as never) };
        } catch (err) {
          result = toFailure(err);
          if (!(err instanceof AppError)) deps.logger.error({ err, namespace, event }, "handler failed");
        }
      }
      stopTimer();
      if (!result.ok) metrics.rejected(result.error.code);
      ack(result);
    }
    entry = { dispatch: (guard, run, args) => void dispatch(guard, run, args).catch(ackFailed) };
    entries.set(event, entry);
    return entry;
  };

  const eventsOf = (socket: EventSource): SocketEvents => {
    let events = socketEvents.get(socket);
    if (events) return events;
    const perSocket = createTokenBucket(eventsPerSocketPerSecond, 2 * eventsPerSocketPerSecond);
    const perUser = deps.guards.userEvents.hold(socket.data.user.id);
    socket.on("disconnect", () => perUser.release());
    const handlers: SocketEvents["handlers"] = new Map();
    const guard = (): AppError | null => {
      if (!perSocket.tryTake()) {
        return new AppError("RATE_LIMITED", "too many events on this connection", perSocket.waitMs());
      }
      if (!perUser.bucket.tryTake()) {
        return new AppError("RATE_LIMITED", "too many events from this user", perUser.bucket.waitMs());
      }
      return null;
    };
    socket.onAny((event, ...args) => {
      const handler = typeof event === "string" ? handlers.get(event) : undefined;
      if (handler) return handler[0].dispatch(guard, handler[1], args);
      // A contract event no module handles here is left alone, as Socket.IO would.
      if (Object.hasOwn(inputs, event)) return;
      // An event outside the contract still gets its ack answered, and counts like
      // any event: a flood of made-up names is still a flood.
      if (!perSocket.tryTake()) {
        instrumentsOf("unknown").rejected("RATE_LIMITED");
        return takeAck(args)(failure("RATE_LIMITED", "too many events on this connection"));
      }
      instrumentsOf("unknown").rejected("VALIDATION_FAILED");
      // String(): a numeric name has no slice(), and a throw here would escape as an uncaught exception.
      takeAck(args)(failure("VALIDATION_FAILED", `unknown event "${String(event).slice(0, 64)}"`));
    });
    socketEvents.set(socket, (events = { guard, handlers }));
    return events;
  };

  return function bind(socket: EventSource) {
    const { handlers } = eventsOf(socket);
    return function on<K extends keyof E & string>(
      event: K,
      run: (input: InputOf<E[K]>) => Promise<AckDataOf<E[K]>>,
    ): void {
      handlers.set(event, [entryOf(event), run]);
    };
  };
}
