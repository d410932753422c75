// The /location namespace: schemas and event maps.
import * as v from "valibot";
import type { Ack, InputSchemas } from "./contract.ts";
import { EpochMs, GroupId, GroupRef } from "./primitives.ts";
import { rideInputs, type RideClientEvents, type RideServerEvents, type RideState } from "./ride.ts";
import { sessionInputs, type SessionClientEvents, type SessionServerEvents } from "./session.ts";
import { sosInputs, type SosClientEvents, type SosServerEvents } from "./sos.ts";

/** A rider's last known position in one group. */
export interface Position {
  groupId: string;
  userId: string;
  username: string;
  /** Degrees WGS84. */
  lat: number;
  lng: number;
  /** Metres, or null when unknown. */
  accuracy: number | null;
  /** Degrees clockwise from north in [0, 360), or null. */
  heading: number | null;
  /** m/s, or null. */
  speed: number | null;
  /** Device time, ms since epoch. */
  ts: number;
}

const Finite = v.pipe(v.number(), v.finite());

export const LocationUpdate = v.strictObject({
  groupId: GroupId,
  lat: v.pipe(Finite, v.minValue(-90), v.maxValue(90)),
  lng: v.pipe(Finite, v.minValue(-180), v.maxValue(180)),
  accuracy: v.optional(v.nullable(v.pipe(Finite, v.minValue(0))), null),
  heading: v.optional(v.nullable(v.pipe(Finite, v.minValue(0), v.ltValue(360))), null),
  speed: v.optional(v.nullable(v.pipe(Finite, v.minValue(0))), null),
  ts: EpochMs,
});
export type LocationUpdate = v.InferOutput<typeof LocationUpdate>;

export const ShareLocation = v.strictObject({ groupId: GroupId, sharing: v.boolean() });
export type ShareLocation = v.InferOutput<typeof ShareLocation>;

/** Sent by clients on /location. */
export interface LocationClientEvents extends SessionClientEvents, RideClientEvents, SosClientEvents {
  /** `ride`: the group's ride under way, with every rider's trail so far (null when none). */
  "location:subscribe": (
    input: GroupRef,
    ack: Ack<{ groupId: string; riders: Position[]; ride: RideState | null }>,
  ) => void;
  "location:unsubscribe": (input: GroupRef, ack: Ack<{ groupId: string }>) => void;
  "location:share": (input: ShareLocation, ack: Ack<{ groupId: string; sharing: boolean }>) => void;
  /** The ack is optional; an update over the rate limit is coalesced, newest kept. */
  "location:update": (input: LocationUpdate, ack?: Ack<{ accepted: true }>) => void;
}

export interface RiderStopped {
  groupId: string;
  userId: string;
}

/** Sent by the server on /location. */
export interface LocationServerEvents extends SessionServerEvents, RideServerEvents, SosServerEvents {
  "location:update": (position: Position) => void;
  "location:stopped": (stopped: RiderStopped) => void;
}

export const locationInputs = {
  ...sessionInputs,
  ...rideInputs,
  ...sosInputs,
  "location:subscribe": GroupRef,
  "location:unsubscribe": GroupRef,
  "location:share": ShareLocation,
  "location:update": LocationUpdate,
} satisfies InputSchemas<LocationClientEvents>;
