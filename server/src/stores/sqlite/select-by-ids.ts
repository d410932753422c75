// Rows by a list of ids in one query (the list goes in as JSON), handed back in
// the list's order, missing ids left out; the user and group stores both need it.
import type BetterSqlite3 from "better-sqlite3";

/** `statement` takes the ids as one JSON array: `… WHERE id IN (SELECT value FROM json_each(?))`. */
export function selectByIds<T extends { id: string }>(
  statement: BetterSqlite3.Statement<[string], T>,
  ids: readonly string[],
): T[] {
  if (ids.length === 0) return [];
  const found = new Map(statement.all(JSON.stringify(ids)).map((row) => [row.id, row]));
  return ids.flatMap((id) => found.get(id) ?? []);
}
