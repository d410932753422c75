// State kept per group and per user (presence, riders, who is typing) lives in
// signals of nested records; an update makes new objects so the views re-render.

export type ByGroup<T> = Record<string, Record<string, T>>;

/** `byGroup` with `key` of `groupId` set to `value`, or removed when `value` is undefined. */
export function withEntry<T>(
  byGroup: ByGroup<T>,
  groupId: string,
  key: string,
  value: T | undefined,
): ByGroup<T> {
  const group = { ...(byGroup[groupId] ?? {}) };
  if (value === undefined) delete group[key];
  else group[key] = value;
  return { ...byGroup, [groupId]: group };
}
