// Every piece of state lives behind these async interfaces, with an embedded
// (SQLite + process memory) and a Redis implementation. Stores decide ordering,
// idempotency and expiry atomically, and never hand out objects that the caller could mutate.
import type {
  ChatMessage,
  Group,
  MessagePage,
  Position,
  PresenceStatus,
  Ride,
  RideAlert,
  RideEndReason,
  RiderStopped,
  Sos,
  SosReceipt,
  User,
} from "@convoy/shared";

export interface StoredUser extends User {
  passwordHash: string;
}

export interface UserStore {
  /** false when the username is taken (case-insensitively). */
  create(user: StoredUser): Promise<boolean>;
  findByUsername(username: string): Promise<StoredUser | null>;
  findById(id: string): Promise<StoredUser | null>;
  /** false when there is no such user. */
  setPasswordHash(id: string, passwordHash: string): Promise<boolean>;
  findMany(ids: readonly string[]): Promise<User[]>;
}

/** A login: the tokens refreshed from it carry its id, and revoking it ends them all. */
export interface Session {
  id: string;
  userId: string;
  /** ms epoch; no token of the session is valid past it, refreshed or not. */
  expiresAt: number;
}

export interface SessionStore {
  /** Also forgets some sessions that expired before `now`. */
  create(session: Session, now: number): Promise<void>;
  /** The session, unless it was revoked or expired before `now`. */
  find(id: string, now: number): Promise<Session | null>;
  /** false when there was no such session. */
  revoke(id: string): Promise<boolean>;
  /** Revokes every session of the user; the ids that were revoked. */
  revokeAll(userId: string): Promise<string[]>;
}

export interface GroupStore {
  /** Stores the group with its owner as first member; false, storing nothing, when the owner already owns `maxOwned`. */
  create(group: Group, maxOwned: number): Promise<boolean>;
  findById(id: string): Promise<Group | null>;
  findByInviteCode(inviteCode: string): Promise<Group | null>;
  findMany(ids: readonly string[]): Promise<Group[]>;
  /** "member" when the user was one already; "full", storing nothing, when the group has `maxMembers`. */
  addMember(groupId: string, userId: string, maxMembers: number): Promise<"added" | "member" | "full">;
  isMember(groupId: string, userId: string): Promise<boolean>;
  memberIds(groupId: string): Promise<string[]>;
  groupIdsOf(userId: string): Promise<string[]>;
}

export type MessageDraft = Omit<ChatMessage, "id">;

export interface MessageStore {
  /**
   * Assigns the next id in the group and stores the message, unless this sender
   * already stored one with the same clientMsgId in the group: then that one
   * comes back with isNew false.
   */
  append(draft: MessageDraft): Promise<{ message: ChatMessage; isNew: boolean }>;
  /** The newest `limit` messages, oldest first. */
  latest(groupId: string, limit: number): Promise<ChatMessage[]>;
  /** Messages with id > afterId, oldest first. */
  after(groupId: string, afterId: string, limit: number): Promise<MessagePage>;
  /** The newest `limit` messages with id < beforeId (or overall), oldest first. */
  before(groupId: string, beforeId: string | null, limit: number): Promise<MessagePage>;
}

export interface PresenceState {
  status: PresenceStatus;
  lastSeen: number | null;
}

export interface PresenceChange {
  before: PresenceStatus;
  after: PresenceState;
}

/** Presence counts connections (one per /presence socket, on any node) per user. */
export interface PresenceStore {
  attach(userId: string, connId: string): Promise<PresenceChange>;
  setAway(userId: string, connId: string, away: boolean): Promise<PresenceChange>;
  /** `now` becomes lastSeen when this was the user's last connection. */
  detach(userId: string, connId: string, now: number): Promise<PresenceChange>;
  states(userIds: readonly string[]): Promise<Map<string, PresenceState>>;
  /**
   * Tells the other nodes this one is alive. True when this node was not
   * registered: its first beat, or it was taken for dead (e.g. cut off from
   * Redis) and its connections were detached, so they must be attached again.
   */
  heartbeat(now: number): Promise<boolean>;
  /** Detaches the connections of nodes silent for longer than `deadAfterMs`; each change is returned once. */
  reapDeadNodes(now: number, deadAfterMs: number): Promise<Array<{ userId: string; change: PresenceChange }>>;
  /** This node stops cleanly: its heartbeat goes. */
  forgetNode(): Promise<void>;
}

/**
 * What became of a position: refused (not sharing, or older than the stored
 * one); kept; or kept while another node hears the group's positions, which
 * must then be sent to the other nodes too.
 */
export type Recorded = "refused" | "kept" | "kept-heard-elsewhere";

export interface LocationStore {
  /** Turning sharing off forgets the rider's position; `changed` is false when it was already so. */
  setSharing(groupId: string, userId: string, sharing: boolean): Promise<{ changed: boolean }>;
  isSharing(groupId: string, userId: string): Promise<boolean>;
  /**
   * Keeps the position as the rider's latest when they are sharing and it is not
   * older (by device ts) than the one stored; says whether it was kept, and
   * whether another node hears the group (see listen).
   */
  record(position: Position, receivedAt: number): Promise<Recorded>;
  /**
   * This node hears the group's positions from other nodes, from the moment
   * this resolves: a position recorded after it, on another node, comes out
   * "kept-heard-elsewhere". A node calls it once it is subscribed, and
   * `unlisten` when it no longer is. Alone (embedded mode) there is no one to
   * tell.
   */
  listen(groupId: string): Promise<void>;
  unlisten(groupId: string): Promise<void>;
  /** The latest position of every sharing rider in the group. */
  riders(groupId: string): Promise<Position[]>;
  /**
   * Written behind (Redis): `listener` is told when another node starts
   * hearing a group, with the latest positions this node has of it, which
   * that node may have missed. Alone (embedded mode) it is never told.
   */
  onHeardAnew?(listener: (groupId: string, latest: Position[]) => void): void;
  /**
   * A position another node sent, heard here: with positions written
   * behind, what this node's subscribers find on subscribing includes it
   * before Redis does. Alone (embedded mode) there are none.
   */
  heard?(position: Position): void;
  /** Forgets and returns positions received before `cutoff`; each is returned once. */
  expire(cutoff: number): Promise<RiderStopped[]>;
}

/** A trail point as kept: `along` is the metres travelled from the trail's first point. */
export interface StoredTrailPoint {
  lat: number;
  lng: number;
  ts: number;
  along: number;
}

export interface RideStore {
  /**
   * Stores a new ride, under way in its group; false, storing nothing, when the
   * group has one under way. Forgets the group's oldest ended rides past `keep`.
   */
  start(ride: Ride, keep: number): Promise<boolean>;
  find(rideId: string): Promise<Ride | null>;
  /** The group's ride under way, if any. */
  activeIn(groupId: string): Promise<Ride | null>;
  /** Every ride under way, with when it last saw a position (or started). */
  allActive(): Promise<Array<{ ride: Ride; lastActivityAt: number }>>;
  /** The group's rides, newest first. */
  history(groupId: string, limit: number): Promise<Ride[]>;
  /** Adds the rider (again, after leaving: `leftAt` back to null); null when the ride is not under way. */
  join(rideId: string, rider: { userId: string; username: string; joinedAt: number }): Promise<Ride | null>;
  /** null when the ride is not under way or the user is not riding in it. */
  leave(rideId: string, userId: string, at: number): Promise<Ride | null>;
  /** Ends the ride once, riders still in it leaving `at`; null when it was not under way. */
  end(rideId: string, reason: RideEndReason, at: number): Promise<Ride | null>;
  /** Notes that a rider sent a position at `at`, and appends any new trail points. */
  appendTrail(rideId: string, userId: string, points: readonly StoredTrailPoint[], at: number): Promise<void>;
  /** Replaces a rider's trail (after thinning it). */
  replaceTrail(rideId: string, userId: string, points: readonly StoredTrailPoint[]): Promise<void>;
  /**
   * userId → trail, oldest point first; for a rider in `from`, only the points
   * from that index on (what was added since a read, to a trail not replaced).
   */
  trails(rideId: string, from?: ReadonlyMap<string, number>): Promise<Map<string, StoredTrailPoint[]>>;
  /** Records a rider's alert; false when the rider has one already (it is raised once). */
  raiseAlert(alert: RideAlert): Promise<boolean>;
  /** false when the rider had no alert. */
  clearAlert(rideId: string, userId: string): Promise<boolean>;
  alerts(rideId: string): Promise<RideAlert[]>;
  /** One node at a time watches the rides under way: true while this node holds the watch (for `ttlMs` more). */
  claimWatch(ttlMs: number): Promise<boolean>;
}

/** Who has exchanged direct messages with whom (the messages live in the MessageStore). */
export interface ConversationStore {
  /** Notes that `a` and `b` exchanged a message at `ts`, on both sides' lists. */
  touch(a: string, b: string, ts: number): Promise<void>;
  /** The users `userId` exchanged messages with, the most recent first. */
  partnersOf(userId: string, limit: number): Promise<string[]>;
}

/** What `sos:raise` stores; the rest of an SOS starts empty (open, alerted once, no receipts). */
export type SosDraft = Omit<Sos, "resolvedAt" | "resolvedBy" | "sentCount" | "receipts">;

/**
 * SOS alerts (issue #14). Every step that more than one node may take at once
 * (a receipt, resolving, claiming a re-send or the webhook) is decided
 * atomically here, so that exactly one caller wins it.
 */
export interface SosStore {
  /**
   * Stores a new open SOS, due to be alerted again at `resendAt` (null: never),
   * unless the sender already raised one with this clientSosId in the group, or
   * has one open there: then that one comes back with isNew false.
   */
  raise(draft: SosDraft, resendAt: number | null): Promise<{ sos: Sos; isNew: boolean }>;
  find(id: string): Promise<Sos | null>;
  /** The open SOSes of these groups, oldest first. */
  active(groupIds: readonly string[]): Promise<Sos[]>;
  /**
   * Moves the user's receipt forward to `receipt.state` (an acknowledgement also
   * ends re-sends and the webhook); `changed` is false when that is not ahead of
   * the user's receipt, or the SOS is resolved. null when there is no such SOS.
   */
  receipt(sosId: string, receipt: SosReceipt): Promise<{ sos: Sos; changed: boolean } | null>;
  /**
   * Resolves an open SOS, then forgets the oldest resolved ones of its group past
   * `keep`; `changed` is false when it was resolved already. null when there is no such SOS.
   */
  resolve(
    sosId: string,
    by: { userId: string; at: number; keep: number },
  ): Promise<{ sos: Sos; changed: boolean } | null>;
  /**
   * Open, unacknowledged SOSes whose next alert is due by `now`, each claimed by
   * one caller only: its sentCount goes up by one and its next alert is at
   * `now + everyMs`, none once it reaches `maxSends`.
   */
  claimResends(now: number, everyMs: number, maxSends: number): Promise<Sos[]>;
  /** Open, unacknowledged SOSes raised at or before `raisedBy` whose webhook nobody claimed yet: each claimed once. */
  claimWebhooks(raisedBy: number): Promise<Sos[]>;
}

export interface Stores {
  users: UserStore;
  sessions: SessionStore;
  groups: GroupStore;
  messages: MessageStore;
  presence: PresenceStore;
  locations: LocationStore;
  rides: RideStore;
  conversations: ConversationStore;
  sos: SosStore;
  /** Resolves when the backing storage answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
