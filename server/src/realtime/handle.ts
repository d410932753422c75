// Routes a namespace's client events to its handlers, which are bound once for
// the namespace and given the socket: a node holds thousands of sockets, and
// a socket then holds no closure per event. For every event it limits the rate
// per socket and per user, validates the payload against its schema, answers
// the ack exactly once, maps thrown errors to codes, and records metrics.
// Nothing escapes as an unhandled rejection.
import { parseInput, type AckDataOf, type AckResult, type InputOf, type InputSchemas } from "@convoy/shared";
import type { Namespace, Socket } from "socket.io";
import { AppError, failure, toFailure } from "../errors.ts";
import type { UserEventLimits } from "../guards/user-event-limits.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { TokenBucket } from "./token-bucket.ts";
import type { InterNodeEvents, SocketData } from "./types.ts";

type Ack = (result: AckResult<unknown>) => void;
const noop = () => {};
const takeAck = (args: unknown[]): Ack => {
  const last = args[args.length - 1];
  return typeof last === "function" ? (args.pop() as Ack) : noop;
};

type RoutedSocket<C extends object, S extends object> = Socket<C, S, InterNodeEvents, SocketData>;

export interface EventRouter<C extends object, S extends object> {
  /** The handler of `event` on every socket of the namespace; its input has passed the event's schema. */
  on<K extends keyof C & string>(
    event: K,
    run: (input: InputOf<C[K]>, socket: RoutedSocket<C, S>) => Promise<AckDataOf<C[K]>>,
  ): void;
}

/** One event's whole path, after the socket's limits were checked (`refused` is their verdict). */
type Route<Sock> = (socket: Sock, refused: AppError | null, args: unknown[]) => void;

interface RouterDeps {
  metrics: Metrics;
  logger: Logger;
  limits: { eventsPerSocketPerSecond: number };
  guards: { userEvents: UserEventLimits };
}

/**
 * Several modules may add handlers on one namespace (e.g. /location's and
 * SOS's): they get the same router, so their events share the socket's limits
 * and an unknown event is answered once.
 */
const routers = new WeakMap<object, { inputs: object; router: unknown }>();

export function routeEvents<C extends object, S extends object>(
  nsp: Namespace<C, S, InterNodeEvents, SocketData>,
  inputs: InputSchemas<C>,
  deps: RouterDeps,
): EventRouter<C, S> {
  const made = routers.get(nsp);
  if (!made) {
    const router = createRouter(nsp, inputs, deps);
    routers.set(nsp, { inputs, router });
    return router;
  }
  // One namespace, one contract: the cast below is sound only for the same input map.
  if (made.inputs !== inputs) throw new Error(`${nsp.name} is already routed with another input map`);
  return made.router as EventRouter<C, S>;
}

function createRouter<C extends object, S extends object>(
  nsp: Namespace<C, S, InterNodeEvents, SocketData>,
  inputs: InputSchemas<C>,
  deps: RouterDeps,
): EventRouter<C, S> {
  type Sock = RoutedSocket<C, S>;
  const namespace = nsp.name;
  const { eventsPerSocketPerSecond } = deps.limits;
  const { userEvents } = deps.guards;
  const instruments = new Map<string, ReturnType<Metrics["forEvent"]>>();
  const instrumentsOf = (event: string) => {
    let found = instruments.get(event);
    if (!found) instruments.set(event, (found = deps.metrics.forEvent(namespace, event)));
    return found;
  };
  const routes = new Map<string, Route<Sock>>();

  // Per socket: two buckets, and one listener for all its events.
  nsp.on("connection", (socket) => {
    const userId = socket.data.user.id;
    const perSocket = new TokenBucket(eventsPerSocketPerSecond, 2 * eventsPerSocketPerSecond);
    const perUser = userEvents.hold(userId);
    socket.once("disconnect", () => userEvents.release(userId));
    const refusal = (): AppError | null => {
      if (!perSocket.tryTake()) {
        return new AppError("RATE_LIMITED", "too many events on this connection", perSocket.waitMs());
      }
      if (!perUser.tryTake()) {
        return new AppError("RATE_LIMITED", "too many events from this user", perUser.waitMs());
      }
      return null;
    };
    socket.onAny((event: string | number, ...args: unknown[]) => {
      // Socket.IO's parser also takes a number as an event name.
      const route = typeof event === "string" ? routes.get(event) : undefined;
      if (route) return route(socket, refusal(), args);
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
  });

  return {
    on(event, run) {
      const schema = inputs[event];
      const metrics = instrumentsOf(event);
      const ackFailed = (err: unknown) => deps.logger.error({ err, namespace, event }, "ack failed");

      async function dispatch(socket: Sock, refused: AppError | null, args: unknown[]): Promise<void> {
        const ack = takeAck(args);
        metrics.received.count++;
        // Only an event with an ack is timed: the figure is the wait for the answer.
        const stopTimer = ack === noop ? noop : metrics.duration.startTimer();
        let result: AckResult<unknown>;
        const parsed = refused || args.length !== 1 ? null : parseInput(schema, args[0]);
        if (refused) result = toFailure(refused);
        else if (!parsed) result = failure("VALIDATION_FAILED", "expected one payload object");
        else if (!parsed.ok) result = failure("VALIDATION_FAILED", parsed.message);
        else {
          try {
            result = { ok: true, data: await run(parsed.data, socket) };
          } catch (err) {
            result = toFailure(err);
            if (!(err instanceof AppError)) deps.logger.error({ err, namespace, event }, "handler failed");
          }
        }
        stopTimer();
        if (!result.ok) metrics.rejected(result.error.code);
        ack(result);
      }
      routes.set(event, (socket, refused, args) => void dispatch(socket, refused, args).catch(ackFailed));
    },
  };
}
