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

const noop = () => {};

/**
 * Each socket's event limits and its answer to unknown events, made by the first
 * binder that binds it. Several modules may bind handlers on one namespace's
 * sockets (e.g. /location's and SOS's), each binder with the namespace's whole
 * input map: their events then share the socket's limits, and an unknown event
 * is answered once.
 */
const socketGuards = new WeakMap<EventSource, () => AppError | null>();
function guardOf(socket: EventSource, make: () => () => AppError | null): () => AppError | null {
  let guard = socketGuards.get(socket);
  if (!guard) socketGuards.set(socket, (guard = make()));
  return guard;
}

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

  const takeAck = (args: unknown[]): ((result: AckResult<unknown>) => void) => {
    const last = args[args.length - 1];
    return typeof last === "function" ? (args.pop() as (result: AckResult<unknown>) => void) : noop;
  };

  return function bind(socket: EventSource) {
    const rateLimited = guardOf(socket, () => {
      const socketEvents = createTokenBucket(eventsPerSocketPerSecond, 2 * eventsPerSocketPerSecond);
      const userEvents = deps.guards.userEvents.hold(socket.data.user.id);
      socket.on("disconnect", () => userEvents.release());

      // An event outside the contract still gets its ack answered.
      socket.onAny((event, ...args) => {
        if (Object.hasOwn(inputs, event)) return;
        // Counted like any event: a flood of made-up names is still a flood.
        if (!socketEvents.tryTake()) {
          instrumentsOf("unknown").rejected("RATE_LIMITED");
          return takeAck(args)(failure("RATE_LIMITED", "too many events on this connection"));
        }
        instrumentsOf("unknown").rejected("VALIDATION_FAILED");
        // String(): a numeric name has no slice(), and a throw here would escape as an uncaught exception.
        takeAck(args)(failure("VALIDATION_FAILED", `unknown event "${String(event).slice(0, 64)}"`));
      });

      /** Null when the event may go on; checked before anything else is done for it. */
      return (): AppError | null => {
        if (!socketEvents.tryTake()) {
          return new AppError("RATE_LIMITED", "too many events on this connection", socketEvents.waitMs());
        }
        if (!userEvents.bucket.tryTake()) {
          return new AppError("RATE_LIMITED", "too many events from this user", userEvents.bucket.waitMs());
        }
        return null;
      };
    });

    return function on<K extends keyof E & string>(
      event: K,
      run: (input: InputOf<E[K]>) => Promise<AckDataOf<E[K]>>,
    ): void {
      const schema = inputs[event];
      const metrics = instrumentsOf(event);

      async function dispatch(args: unknown[]): Promise<void> {
        const ack = takeAck(args);
        metrics.received.count++;
        // Only an event with an ack is timed: the figure is the wait for the answer.
        const stopTimer = ack === noop ? noop : metrics.duration.startTimer();
        let result: AckResult<unknown>;
        const limited = rateLimited();
        const parsed = limited || args.length !== 1 ? null : parseInput(schema, args[0]);
        if (limited) result = toFailure(limited);
        else if (!parsed) result = failure("VALIDATION_FAILED", "expected one payload object");
        else if (!parsed.ok) result = failure("VALIDATION_FAILED", parsed.message);
        else {
          try {
            result = { ok: true, data: await run(parsed.data) };
          } catch (err) {
            result = toFailure(err);
            if (!(err instanceof AppError)) deps.logger.error({ err, namespace, event }, "handler failed");
          }
        }
        stopTimer();
        if (!result.ok) metrics.rejected(result.error.code);
        ack(result);
      }

      const ackFailed = (err: unknown) => deps.logger.error({ err, namespace, event }, "ack failed");
      socket.on(event, (...args) => {
        dispatch(args).catch(ackFailed);
      });
    };
  };
}
