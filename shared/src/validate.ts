// One way to run a schema on untrusted input, used by the server for every
// event and route and by the browser before it sends.
import * as v from "valibot";

export type Parsed<T> = { ok: true; data: T } | { ok: false; message: string };

export function parseInput<T>(schema: v.GenericSchema<unknown, T>, raw: unknown): Parsed<T> {
  const result = v.safeParse(schema, raw, { abortEarly: true });
  if (result.success) return { ok: true, data: result.output };
  return { ok: false, message: describeIssue(result.issues[0]) };
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = issue.path?.map((item) => String(item.key)).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}
