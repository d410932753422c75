// Rides, on /location: a member starts a ride for the group, riders join it
// (which turns their sharing on: the consent is recorded with the ride), and it
// ends for everyone at once. During a ride each rider's trail is kept, thinned,
// and the group is alerted when a rider falls far behind or stops.
import * as v from "valibot";
import type { Ack } from "./contract.ts";
import { LIMITS } from "./limits.ts";
import { EpochMs, GroupId, Id, NoInput, noControlOrBidi, wellFormed } from "./primitives.ts";

export type RideEndReason =
  /** Its starter or the group's owner ended it. */
  | "ended"
  /** Its planned end came. */
  | "planned-end"
  /** No rider sent a position for `LIMITS.rideIdleMs`. */
  | "idle";

export interface RideRider {
  userId: string;
  username: string;
  /** When the rider joined (and so agreed to share their position for this ride), ms epoch. */
  joinedAt: number;
  /** When the rider left, or the ride ended while they were in it; null while riding. */
  leftAt: number | null;
}

export interface Ride {
  id: string;
  groupId: string;
  name: string;
  startedBy: string;
  startedAt: number;
  plannedEndAt: number | null;
  endedAt: number | null;
  endReason: RideEndReason | null;
  /** Alert when a rider is this far behind the front rider along the road, m. */
  gapM: number;
  /** Alert when a rider has not moved for this long while the front rider moves, ms. */
  stoppedMs: number;
  riders: RideRider[];
}

/** `[lat, lng, ts]`: compact, since a trail may hold thousands. */
export type TrailPoint = [lat: number, lng: number, ts: number];

export interface RiderTrail {
  userId: string;
  /** Oldest first; a point per ~25 m or per turn, the oldest part thinned past the bound. */
  points: TrailPoint[];
  /** Metres travelled along the trail. */
  distanceM: number;
}

export interface RideAlert {
  rideId: string;
  groupId: string;
  userId: string;
  username: string;
  /** gap: too far behind along the road; stopped: not moving while the group moves. */
  kind: "gap" | "stopped";
  /** Metres behind the front rider along its trail; null when off the front rider's route. */
  behindM: number | null;
  /** A point on the route ahead of the rider, halfway to the front rider; null when unknown. */
  regroupAt: { lat: number; lng: number } | null;
  raisedAt: number;
}

export interface RideAlertCleared {
  rideId: string;
  groupId: string;
  userId: string;
}

/** Everything a client needs to draw a ride it comes to late. */
export interface RideState {
  ride: Ride;
  trails: RiderTrail[];
  alerts: RideAlert[];
}

const RideName = v.pipe(
  v.string(),
  wellFormed,
  noControlOrBidi,
  v.trim(),
  v.minLength(1),
  v.maxLength(LIMITS.rideName),
);

export const StartRide = v.strictObject({
  groupId: GroupId,
  name: RideName,
  plannedEndAt: v.optional(v.nullable(EpochMs), null),
  gapM: v.optional(
    v.pipe(v.number(), v.safeInteger(), v.minValue(LIMITS.rideGapMinM), v.maxValue(LIMITS.rideGapMaxM)),
    LIMITS.rideGapM,
  ),
  stoppedMs: v.optional(
    v.pipe(
      v.number(),
      v.safeInteger(),
      v.minValue(LIMITS.rideStoppedMinMs),
      v.maxValue(LIMITS.rideStoppedMaxMs),
    ),
    LIMITS.rideStoppedMs,
  ),
});
export type StartRide = v.InferOutput<typeof StartRide>;

export const RideId = Id;
export const RideRef = v.strictObject({ rideId: RideId });
export type RideRef = v.InferOutput<typeof RideRef>;

/** Sent by clients on /location (spread into its event map). */
export interface RideClientEvents {
  /** CONFLICT when the group has a ride under way already. */
  "ride:start": (input: StartRide, ack: Ack<{ ride: Ride }>) => void;
  /** Turns the rider's sharing on for the ride's group; answers the ride's state. */
  "ride:join": (input: RideRef, ack: Ack<RideState>) => void;
  /** Turns the rider's sharing off. */
  "ride:leave": (input: RideRef, ack: Ack<{ ride: Ride }>) => void;
  /** The starter or the group's owner only; sharing stops for every rider. */
  "ride:end": (input: RideRef, ack: Ack<{ ride: Ride }>) => void;
  /** The rides under way in the user's groups (after a reconnect, for groups not open). */
  "ride:active": (input: NoInput, ack: Ack<{ rides: Ride[] }>) => void;
}

/** Sent by the server on /location to every member's sockets, whatever group they have open. */
export interface RideServerEvents {
  /** Started, or a rider joined or left. */
  "ride:update": (ride: Ride) => void;
  "ride:ended": (ride: Ride) => void;
  "ride:alert": (alert: RideAlert) => void;
  "ride:alert-cleared": (cleared: RideAlertCleared) => void;
}

export const rideInputs = {
  "ride:start": StartRide,
  "ride:join": RideRef,
  "ride:leave": RideRef,
  "ride:end": RideRef,
  "ride:active": NoInput,
};
