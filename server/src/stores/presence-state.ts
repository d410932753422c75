// The aggregate status rule, shared by the store implementations: online while
// any connection is not away, away when all are, offline with none.
import type { PresenceStatus } from "@convoy/shared";

export function aggregateStatus(connections: number, away: number): PresenceStatus {
  if (connections === 0) return "offline";
  return away >= connections ? "away" : "online";
}
