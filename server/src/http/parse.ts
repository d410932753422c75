import { parseInput } from "@convoy/shared";
import type * as v from "valibot";
import { AppError } from "../errors.ts";

/** Validates untrusted HTTP input, throwing VALIDATION_FAILED. */
export function parseOrThrow<T>(schema: v.GenericSchema<unknown, T>, raw: unknown): T {
  const parsed = parseInput(schema, raw);
  if (!parsed.ok) throw new AppError("VALIDATION_FAILED", parsed.message);
  return parsed.data;
}
