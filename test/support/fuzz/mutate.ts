// Mutations of a valid payload: one to three small changes (a key dropped or
// added, a value of the wrong type or just past its bound, another group's id),
// so that a validator's later checks are reached, not only its first type check.
import fc from "fast-check";
import { anyValue, edgeNumber, edgeString, hugeString, oddString } from "./hostile-values.ts";

type Payload = Record<string, unknown>;

const isPayload = (value: unknown): value is Payload =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A copy with `key` set; defined rather than assigned, so that "__proto__" becomes an own key as JSON.parse makes it. */
function withKey(payload: Payload, key: string, value: unknown): Payload {
  const copy = { ...payload };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function without(payload: Payload, key: string): Payload {
  const { [key]: _dropped, ...rest } = payload;
  return rest;
}

/** What replaces one field's value: another type, or its own type at or past an edge. */
function replacementFor(value: unknown, groupIds: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const otherType = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    edgeNumber,
    edgeString,
    fc.constant([value]),
    fc.constant({ value }),
    anyValue,
  );
  if (typeof value === "number") {
    const near = Number.isFinite(value)
      ? fc.double({ min: value - 1, max: value + 1, noNaN: true })
      : fc.constant(0);
    return fc.oneof(edgeNumber, near, fc.constant(String(value)), otherType);
  }
  if (typeof value === "string") {
    return fc.oneof(
      edgeString,
      oddString(),
      fc.constantFrom(
        `${value}\ud800`,
        `\udc00${value}`,
        ` ${value} `,
        `${value}\u0000`,
        value.toUpperCase(),
      ),
      fc.integer({ min: 2, max: 40 }).map((times) => value.repeat(times)),
      groupIds,
      otherType,
      { weight: 1, arbitrary: hugeString },
    );
  }
  if (typeof value === "boolean") return fc.oneof(fc.constantFrom(0, 1, "true", "false", !value), otherType);
  return otherType;
}

function mutateOnce(payload: Payload, groupIds: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const keys = Object.keys(payload);
  const extraKey = fc.tuple(
    fc.oneof(
      fc.constantFrom(
        "__proto__",
        "constructor",
        "toString",
        ...keys.flatMap((key) => [key.toUpperCase(), ` ${key}`]),
      ),
      oddString(12),
    ),
    anyValue,
  );
  const changes: Array<fc.WeightedArbitrary<unknown>> = [
    { weight: 1, arbitrary: extraKey.map(([key, value]) => withKey(payload, key, value)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom([payload], { payload }, JSON.stringify(payload), [payload, payload]),
    },
  ];
  if (keys.length > 0) {
    const key = fc.constantFrom(...keys);
    changes.push({ weight: 2, arbitrary: key.map((dropped) => without(payload, dropped)) });
    changes.push({
      weight: 6,
      arbitrary: key.chain((changed) =>
        replacementFor(payload[changed], groupIds).map((value) => withKey(payload, changed, value)),
      ),
    });
  }
  return fc.oneof(...changes);
}

function mutateTimes(value: unknown, times: number, groupIds: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  if (times === 0 || !isPayload(value)) return fc.constant(value);
  return mutateOnce(value, groupIds).chain((next) => mutateTimes(next, times - 1, groupIds));
}

/** A valid payload with one to three mutations; `groupIds` are the ids worth swapping in. */
export function mutated(valid: fc.Arbitrary<Payload>, groupIds: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.integer({ min: 1, max: 3 }))
    .chain(([payload, times]) => mutateTimes(payload, times, groupIds));
}
