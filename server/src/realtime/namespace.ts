// The setup every namespace shares: handshake auth, the socket quotas and metrics.
import type { Namespace } from "socket.io";
import type { Deps } from "../deps.ts";
import { requireToken } from "./handshake-auth.ts";
import type { InterNodeEvents, SocketData } from "./types.ts";

/** `userRoom`: each socket is in its user's room (`userRoom()`) from the moment it connects. */
export function secureNamespace<C extends object, S extends object>(
  nsp: Namespace<C, S, InterNodeEvents, SocketData>,
  deps: Deps,
  options: { userRoom?: boolean } = {},
): Namespace<C, S, InterNodeEvents, SocketData> {
  const rejected = deps.metrics.forEvent(nsp.name, "handshake").rejected;
  const { quotas } = deps;
  nsp.use(
    requireToken(
      { sessions: deps.sessions, handshakes: deps.guards.handshakes, quotas },
      { userRoom: options.userRoom ?? false },
      rejected,
      (err) => deps.logger.error({ err, namespace: nsp.name }, "connection failed"),
    ),
  );
  nsp.on("connection", (socket) => {
    const userId = socket.data.user.id;
    quotas.socketOpened(userId);
    socket.once("disconnect", () => quotas.socketClosed(userId));
  });
  deps.metrics.trackNamespace(nsp);
  return nsp;
}
