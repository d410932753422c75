// The one lifecycle every feature shares. A factory only builds (state,
// signals, restored values); start() attaches the socket and page listeners
// and the timers, stop() removes every one of them, so a stopped feature
// leaves nothing running behind it.
export interface Feature {
  start(): void;
  stop(): void;
}
