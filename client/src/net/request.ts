// A contract event sent with an ack and a bound on the wait: every call ends,
// with the server's answer or TIMEOUT.
import type { AckDataOf, AckResult, InputOf } from "@convoy/shared";
import type { EventMap, SocketPort } from "./socket-port.ts";

const ACK_TIMEOUT_MS = 10_000;

/** An ack, or TIMEOUT when none came in time (the event may or may not have arrived). */
export type Reply<T> = AckResult<T> | { ok: false; error: { code: "TIMEOUT"; message: string } };

export async function request<S extends EventMap<S>, C extends EventMap<C>, K extends keyof C & string>(
  socket: SocketPort<S, C>,
  event: K,
  payload: InputOf<C[K]>,
  ms = ACK_TIMEOUT_MS,
): Promise<Reply<AckDataOf<C[K]>>> {
  // The overloads cannot be called with an event that is still generic here.
  const bounded = socket.timeout(ms) as unknown as {
    emitWithAck(event: string, payload: unknown): Promise<AckResult<AckDataOf<C[K]>>>;
  };
  try {
    return await bounded.emitWithAck(event, payload);
  } catch {
    return { ok: false, error: { code: "TIMEOUT", message: "No answer from the server." } };
  }
}

/**
 * How long to wait before asking again after a refusal that time may cure (no
 * answer, a server fault, the server's event limit: as long as it says), or
 * undefined when asking again cannot help.
 */
export function retryDelay(error: Extract<Reply<unknown>, { ok: false }>["error"], fallbackMs: number) {
  if (error.code !== "TIMEOUT" && error.code !== "INTERNAL" && error.code !== "RATE_LIMITED")
    return undefined;
  return ("retryAfterMs" in error ? error.retryAfterMs : undefined) ?? fallbackMs;
}
