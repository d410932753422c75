// How the Redis stores name the entity a key belongs to. On a Redis Cluster the
// entity id is the key's hash tag, so every key of one group (or user, ride,
// SOS) lives in one slot and a script or MULTI over them is allowed there. On a
// single Redis the id stays bare: the key names of earlier versions, so an
// upgrade finds its data.

/** g: group, u: user, r: ride, s: SOS. */
export type EntityKind = "g" | "u" | "r" | "s";

/** The id as it appears in a key: `{g:<id>}` on a cluster, `<id>` on a single Redis. */
export type Tag = (kind: EntityKind, id: string) => string;

export const bareIds: Tag = (_kind, id) => id;
export const hashTags: Tag = (kind, id) => `{${kind}:${id}}`;

/** What every store needs to name its keys. */
export interface KeyNaming {
  /** Before every key (default "convoy:"), so that several deployments can share one Redis. */
  prefix: string;
  tag: Tag;
}
