// The users and groups the fuzz suite plays with, and its model of what the
// server holds, updated from each answer and checked against the server's.
import { randomUUID } from "node:crypto";
import type { AckResult, ChatMessage, Group, Sos } from "@convoy/shared";
import fc from "fast-check";
import { uniqueName, type Member, type TestApp } from "../app.ts";

export interface World {
  /** Sends the fuzzed socket events; a member of `own` only. */
  actor: Member;
  /** Makes the fuzzed HTTP calls and listens in `own`'s rooms. */
  peer: Member;
  /** Owns `foreign` and `open`. */
  stranger: Member;
  /** The password of actor, peer and stranger. */
  password: string;
  own: Group;
  /** Exists, and neither actor nor peer is in it. */
  foreign: Group;
  /** Its invite code is the valid one for /api/groups/join (only peer may join it). */
  open: Group;
  /** A new account's session, for cases that end or change theirs. */
  newSession(): Promise<Member>;
  /**
   * The id of `own`'s ride under way, asked of the node (for a ride started
   * without an ack, whose handler may still be running: polled, bounded).
   */
  rideUnderWay(): Promise<string | null>;
  /** The group ids payloads pick from: mostly `own`, then the others and ones that do not exist. */
  groupIds: fc.Arbitrary<string>;
  /** SOSes raised before the fuzz starts: by the actor and by peer in `own`, by stranger in `foreign`. */
  sos: { actor: string; peer: string; stranger: string };
  /** The SOS ids payloads pick from: those three, and ones that do not exist. */
  sosIds: fc.Arbitrary<string>;
  model: Model;
}

/** What the fuzz knows of the SOSes in `own`. */
export interface SosModel {
  /** The actor's raises in `own` by clientSosId; "unknown" when sent without an ack. */
  byClientId: Map<string, string>;
  /** The actor's open SOS in `own` ("unknown": raised without an ack), or null. */
  actorOpen: string | null;
  /** Resolved SOS ids. */
  resolved: Set<string>;
  /** The actor acknowledged peer's SOS (so it may resolve it). */
  acknowledgedPeer: boolean;
}

export interface Model {
  /** The actor shares its position in `own`. */
  sharing: boolean;
  /** Messages acknowledged in `own`, by id. */
  sent: Map<string, ChatMessage>;
  /** clientMsgIds of valid sends in `own` made without an ack: stored, but their id is unknown. */
  sentWithoutAck: Set<string>;
  /** Positions accepted in `own`, as "lat,lng,ts". */
  positions: Set<string>;
  /** Valid typing notices sent in `own`. */
  typingNotices: number;
  /** Every group that exists. */
  groups: Set<string>;
  /** The groups peer is a member of. */
  peerGroups: Set<string>;
  /** Invite code → group id. */
  inviteCodes: Map<string, string>;
  /** `own`'s latest ride: whether it ended, and whether the actor rides in it. */
  ride: { id: string; ended: boolean; riding: boolean } | null;
  /** Every ride started: id → group id. */
  rides: Map<string, string>;
  /** Accounts: lower-cased username → password. */
  accounts: Map<string, string>;
  sos: SosModel;
}

/** The clientSosId of the actor's SOS made with the world. */
export const WORLD_SOS_CLIENT_ID = "world-sos";

export const positionKey = (position: { lat: number; lng: number; ts: number }) =>
  `${position.lat},${position.lng},${position.ts}`;

export async function makeWorld(app: TestApp): Promise<World> {
  const accounts = new Map<string, string>();
  const password = "correct horse battery";
  const member = async (): Promise<Member> => {
    const username = uniqueName("fuzz");
    await app.http("POST", "/api/auth/register", { username, password });
    accounts.set(username.toLowerCase(), password);
    const { body } = await app.http("POST", "/api/auth/login", { username, password });
    return { user: body.user, token: body.token };
  };
  const createGroup = async (owner: Member, name: string) =>
    (await app.http("POST", "/api/groups", { name }, owner.token)).body.group;

  const [actor, peer, stranger] = [await member(), await member(), await member()];
  const own = await createGroup(actor, "Own ride");
  await app.http("POST", "/api/groups/join", { inviteCode: own.inviteCode }, peer.token);
  const foreign = await createGroup(stranger, "Foreign ride");
  const open = await createGroup(stranger, "Open ride");
  const raiseSos = async (raiser: Member, groupId: string, clientSosId: string) => {
    const socket = await app.connect("/location", raiser.token);
    const answer = (await socket
      .timeout(5000)
      .emitWithAck("sos:raise", { groupId, clientSosId, note: null, fix: null })) as AckResult<{ sos: Sos }>;
    socket.disconnect();
    if (!answer.ok) throw new Error(`the world's SOS was refused: ${answer.error.code}`);
    return answer.data.sos.id;
  };
  const sos = {
    actor: await raiseSos(actor, own.id, WORLD_SOS_CLIENT_ID),
    peer: await raiseSos(peer, own.id, "peer-sos"),
    stranger: await raiseSos(stranger, foreign.id, "stranger-sos"),
  };
  return {
    actor,
    peer,
    stranger,
    password,
    own,
    foreign,
    open,
    newSession: member,
    async rideUnderWay() {
      for (let attempt = 0; attempt < 40; attempt++) {
        const { body } = await app.http("GET", `/api/groups/${own.id}/rides`, undefined, actor.token);
        const id = body.rides.find((ride) => ride.endedAt === null)?.id;
        if (id) return id;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return null;
    },
    groupIds: fc.oneof(
      { weight: 6, arbitrary: fc.constant(own.id) },
      { weight: 1, arbitrary: fc.constantFrom(foreign.id, open.id) },
      { weight: 1, arbitrary: fc.constant(randomUUID()) },
      { weight: 1, arbitrary: fc.uuid() },
    ),
    sos,
    sosIds: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(sos.actor, sos.peer) },
      { weight: 1, arbitrary: fc.constant(sos.stranger) },
      { weight: 1, arbitrary: fc.uuid() },
    ),
    model: {
      sharing: false,
      sent: new Map(),
      sentWithoutAck: new Set(),
      positions: new Set(),
      typingNotices: 0,
      groups: new Set([own.id, foreign.id, open.id]),
      peerGroups: new Set([own.id]),
      ride: null,
      rides: new Map(),
      inviteCodes: new Map([own, foreign, open].map((group) => [group.inviteCode, group.id])),
      accounts,
      sos: {
        byClientId: new Map([[WORLD_SOS_CLIENT_ID, sos.actor]]),
        actorOpen: sos.actor,
        resolved: new Set(),
        acknowledgedPeer: false,
      },
    },
  };
}
