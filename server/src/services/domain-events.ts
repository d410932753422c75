// Domain events one part of a node raises and another reacts to, so that an
// HTTP route need not know about Socket.IO (e.g. a member joined a group →
// /presence tells the group's subscribers).
import { EventEmitter } from "node:events";
import type { User } from "@convoy/shared";

interface EventMap {
  "member-joined": [{ groupId: string; user: User }];
  /** Revoked: their sockets, on every node, are to be closed. */
  "sessions-ended": [{ sessionIds: string[] }];
}

export type DomainEvents = EventEmitter<EventMap>;

export const createDomainEvents = (): DomainEvents => new EventEmitter<EventMap>();
