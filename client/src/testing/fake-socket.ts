// A socket for unit tests, typed by the same contract as the real one. It
// records what the app emits, lets the test answer acks, fire server events
// and play the connection (accepted, dropped, refused), like socket.io-client:
// a drop rejects the acks still awaited, and socket.io reconnects by itself
// (the socket stays `active`) unless the app called disconnect().
import type { AckDataOf, AckResult, InputOf } from "@convoy/shared";
import type { Clock, TimerId } from "../net/clock.ts";
import type { EventMap, ReservedEvents } from "../net/socket-port.ts";

type Fn = (...args: never[]) => void;

interface Ask {
  event: string;
  payload: unknown;
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer?: TimerId;
}

export class FakeSocket<S extends EventMap<S>, C extends EventMap<C>> {
  connected = false;
  active = false;
  /** Times the app called connect(). */
  connects = 0;
  /** Everything emitted, acked or not, in order. */
  readonly emitted: Array<{ event: string; args: unknown[] }> = [];
  private readonly listeners = new Map<string, Set<Fn>>();
  private readonly asks: Ask[] = [];

  private readonly clock: Clock | undefined;

  /** With a clock, an ack not answered in time rejects, as socket.io's timeout() does. */
  constructor(clock?: Clock) {
    this.clock = clock;
  }

  // The app's side.

  on<K extends keyof (S & ReservedEvents) & string>(event: K, listener: (S & ReservedEvents)[K]): this {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener);
    this.listeners.set(event, set);
    return this;
  }

  off<K extends keyof (S & ReservedEvents) & string>(event: K, listener: (S & ReservedEvents)[K]): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  emit<K extends keyof C & string>(event: K, ...args: Parameters<C[K]>): this {
    this.emitted.push({ event, args });
    return this;
  }

  timeout(ms: number) {
    return {
      emitWithAck: <K extends keyof C & string>(
        event: K,
        payload: InputOf<C[K]>,
      ): Promise<AckResult<AckDataOf<C[K]>>> =>
        new Promise((resolve, reject) => {
          this.emitted.push({ event, args: [payload] });
          const ask: Ask = { event, payload, resolve: resolve as (result: unknown) => void, reject };
          if (this.clock)
            ask.timer = this.clock.setTimeout(() => {
              this.forget(ask);
              reject(new Error("operation has timed out"));
            }, ms);
          this.asks.push(ask);
        }),
    };
  }

  connect(): this {
    this.connects++;
    this.active = true;
    return this;
  }

  disconnect(): this {
    this.active = false;
    if (this.connected) this.close("io client disconnect");
    return this;
  }

  // The test's side: the server and the network.

  /** The server accepted the connection. */
  accept(): void {
    this.connected = true;
    this.active = true;
    this.raise("connect");
  }

  /** The connection was lost; socket.io will try again by itself. */
  drop(reason = "transport close"): void {
    this.close(reason);
  }

  /** The handshake was refused; socket.io does not retry that by itself. */
  refuse(message: string): void {
    this.active = false;
    this.raise("connect_error", new Error(message));
  }

  fire<K extends keyof (S & ReservedEvents) & string>(
    event: K,
    ...args: Parameters<(S & ReservedEvents)[K]>
  ): void {
    this.raise(event, ...args);
  }

  /** Payloads of the acks still awaited for `event`, oldest first. */
  asked<K extends keyof C & string>(event: K): Array<InputOf<C[K]>> {
    return this.asks.filter((ask) => ask.event === event).map((ask) => ask.payload as InputOf<C[K]>);
  }

  /** Answers the oldest ack awaited for `event`. */
  answer<K extends keyof C & string>(event: K, result: AckResult<AckDataOf<C[K]>>): void {
    const ask = this.asks.find((waiting) => waiting.event === event);
    if (!ask) throw new Error(`nothing awaits an answer to ${event}`);
    this.forget(ask);
    ask.resolve(result);
  }

  /** First arguments of every `event` emitted so far (with or without an ack). */
  sent<K extends keyof C & string>(event: K): Array<InputOf<C[K]>> {
    return this.emitted.filter((e) => e.event === event).map((e) => e.args[0] as InputOf<C[K]>);
  }

  /** Listeners still attached, over every event. */
  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  private close(reason: string): void {
    this.connected = false;
    for (const ask of this.asks.splice(0)) {
      if (ask.timer !== undefined) this.clock?.clearTimeout(ask.timer);
      ask.reject(new Error("socket has been disconnected"));
    }
    this.raise("disconnect", reason);
  }

  private raise(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])])
      (listener as (...args: unknown[]) => void)(...args);
  }

  private forget(ask: Ask): void {
    this.asks.splice(this.asks.indexOf(ask), 1);
    if (ask.timer !== undefined) this.clock?.clearTimeout(ask.timer);
  }
}
