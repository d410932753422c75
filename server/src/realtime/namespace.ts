// The setup every namespace shares: handshake auth and metrics.
import type { Namespace } from "socket.io";
import type { Deps } from "../deps.ts";
import { requireToken } from "./handshake-auth.ts";
import type { InterNodeEvents, SocketData } from "./types.ts";

export function secureNamespace<C extends object, S extends object>(
  nsp: Namespace<C, S, InterNodeEvents, SocketData>,
  deps: Deps,
): Namespace<C, S, InterNodeEvents, SocketData> {
  const rejected = deps.metrics.forEvent(nsp.name, "handshake").rejected;
  nsp.use(
    requireToken(deps.sessions, rejected, (err) =>
      deps.logger.error({ err, namespace: nsp.name }, "connection failed"),
    ),
  );
  deps.metrics.trackNamespace(nsp);
  return nsp;
}
