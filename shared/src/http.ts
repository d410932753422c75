// HTTP API bodies (validated on the server) and response shapes.
import * as v from "valibot";
import type { Ride } from "./ride.ts";
import { LIMITS } from "./limits.ts";
import { MessageId, noControlOrBidi, Password, Username, wellFormed } from "./primitives.ts";

export interface User {
  id: string;
  username: string;
}

export interface Group {
  id: string;
  name: string;
  /** Unguessable code that lets anyone holding it join. */
  inviteCode: string;
  ownerId: string;
  /** ms since epoch. */
  createdAt: number;
}

export const Credentials = v.strictObject({ username: Username, password: Password });
export type Credentials = v.InferOutput<typeof Credentials>;

/** `POST /api/auth/password`: ends every session of the user and starts a new one. */
export const ChangePassword = v.strictObject({ currentPassword: Password, newPassword: Password });
export type ChangePassword = v.InferOutput<typeof ChangePassword>;

export const CreateGroup = v.strictObject({
  name: v.pipe(
    v.string(),
    wellFormed,
    noControlOrBidi,
    v.trim(),
    v.minLength(1),
    v.maxLength(LIMITS.groupName),
  ),
});
export type CreateGroup = v.InferOutput<typeof CreateGroup>;

export const JoinGroup = v.strictObject({
  inviteCode: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.idMax), wellFormed),
});
export type JoinGroup = v.InferOutput<typeof JoinGroup>;

/** Query of `GET /api/groups/:id/messages`; values arrive as strings. */
// Not strict: unrelated query parameters (cache busters) are ignored.
export const HistoryQuery = v.object({
  before: v.optional(MessageId),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, "an integer"),
      v.transform(Number),
      v.minValue(1),
      v.maxValue(LIMITS.pageMax),
    ),
    String(LIMITS.pageMax),
  ),
});
export type HistoryQuery = v.InferOutput<typeof HistoryQuery>;

/** `GET /api/config`: settings of this deployment that the browser app needs. */
export interface ClientConfig {
  /** Map tile URL template with {z}, {x}, {y} (and optionally {s}); null: the app draws a plain grid. */
  mapTileUrl: string | null;
  /** Credit shown on the map for those tiles (HTML allowed by Leaflet, set by the operator). */
  mapAttribution: string | null;
}

export interface RegisterResponse {
  user: User;
}
export interface LoginResponse {
  token: string;
  /** ms since epoch. */
  expiresAt: number;
  user: User;
}
export interface GroupResponse {
  group: Group;
}
export interface GroupsResponse {
  groups: Group[];
}
export interface GroupDetailResponse {
  group: Group;
  members: User[];
}

/** `GET /api/groups/:id/rides`: the group's rides, newest first (the one under way too). */
export interface RideListResponse {
  rides: Ride[];
}
