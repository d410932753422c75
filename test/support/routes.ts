// Every HTTP route, keyed as docs/protocol.md lists it, with the body it takes
// and the body it answers on success, from shared/src/http.ts. startApp's
// http() types a call by finding its route here; a call no route matches
// (a computed path, an unknown route) takes and answers `unknown`.
import type {
  ChangePassword,
  ClientConfig,
  CreateGroup,
  Credentials,
  GroupDetailResponse,
  GroupResponse,
  GroupsResponse,
  JoinGroup,
  LoginResponse,
  MessagePage,
  RegisterResponse,
  RideListResponse,
  RideState,
} from "@convoy/shared";

interface Route<Body, Answer> {
  body: Body;
  answer: Answer;
}

export interface Routes {
  "POST /api/auth/register": Route<Credentials, RegisterResponse>;
  "POST /api/auth/login": Route<Credentials, LoginResponse>;
  "POST /api/auth/refresh": Route<undefined, LoginResponse>;
  /** 204: no body (read as the empty text). */
  "POST /api/auth/logout": Route<undefined, string>;
  "POST /api/auth/logout-all": Route<undefined, string>;
  "POST /api/auth/password": Route<ChangePassword, LoginResponse>;
  "POST /api/groups": Route<CreateGroup, GroupResponse>;
  "POST /api/groups/join": Route<JoinGroup, GroupResponse>;
  "GET /api/groups": Route<undefined, GroupsResponse>;
  "GET /api/groups/:id": Route<undefined, GroupDetailResponse>;
  "GET /api/groups/:id/messages": Route<undefined, MessagePage>;
  "GET /api/groups/:id/rides": Route<undefined, RideListResponse>;
  "GET /api/groups/:id/rides/:rideId": Route<undefined, RideState>;
  "GET /api/config": Route<undefined, ClientConfig>;
  "GET /healthz": Route<undefined, { status: "ok" }>;
  "GET /readyz": Route<undefined, { status: "ready" | "unavailable" }>;
  /** Prometheus text. */
  "GET /metrics": Route<undefined, string>;
}
export type RouteKey = keyof Routes;
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Whether "METHOD /path" (no query) is route K; each ":param" stands for one path segment. */
type Matches<Call extends string, K extends string> = K extends `${infer Head}:${string}/${infer Rest}`
  ? Call extends `${Head}${infer Segment}/${infer CallRest}`
    ? Segment extends "" | `${string}/${string}`
      ? false
      : Matches<CallRest, Rest>
    : false
  : K extends `${infer Head}:${string}`
    ? Call extends `${Head}${infer Segment}`
      ? Segment extends "" | `${string}/${string}`
        ? false
        : true
      : false
    : Call extends K
      ? true
      : false;

type WithoutQuery<P extends string> = P extends `${infer Path}?${string}` ? Path : P;

type RouteOfCall<Call extends string> = Call extends unknown
  ? { [K in RouteKey]: Matches<Call, K> extends true ? K : never }[RouteKey]
  : never;

/** The route a call goes to (routes, for a union of calls), or never. A path typed only as `string` matches none. */
export type RouteOf<M extends string, P extends string> = RouteOfCall<`${M} ${WithoutQuery<P>}`>;

type Known<M extends string, P extends string, Part extends keyof Route<unknown, unknown>> = [
  RouteOf<M, P>,
] extends [never]
  ? unknown
  : Routes[RouteOf<M, P>][Part];

/** The body a call sends: its route's, or anything for no known route. */
export type BodyOf<M extends string, P extends string> = Known<M, P, "body">;
/** The body a call answers on success: its route's, or unknown for no known route. */
export type AnswerOf<M extends string, P extends string> = Known<M, P, "answer">;
