// The open Engine.IO connections of this node by session id, kept from public
// events (the engine's own map is not public API).
import type { Server as EngineServer, Socket as EngineSocket } from "engine.io";

export function trackConnections(engine: EngineServer): ReadonlyMap<string, EngineSocket> {
  const open = new Map<string, EngineSocket>();
  engine.on("connection", (conn: EngineSocket) => {
    const sid = sessionId(conn);
    open.set(sid, conn);
    conn.once("close", () => open.delete(sid));
  });
  return open;
}

/** Engine.IO documents `socket.id` (the sid) but its typings mark it private. */
const sessionId = (conn: EngineSocket): string => (conn as unknown as { id: string }).id;
