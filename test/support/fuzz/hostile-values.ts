// Values a careless or hostile client sends: odd characters, numbers at and
// past every edge, strings up to and over the packet limit, JSON of any shape.
// The fuzz suite (test/fuzz.test.ts) builds its payloads from these.
import { LIMITS } from "@convoy/shared";
import fc from "fast-check";

/** Characters validators and stores get wrong: lone surrogates, controls, bidi overrides, invisible ones. */
const ODD_CHARACTERS = [
  "\ud800",
  "\udbff",
  "\udc00",
  "\udfff",
  "\u0000",
  "\u0007",
  "\b",
  "\t",
  "\n",
  "\r",
  "\u001b",
  "\u007f",
  "\u0085",
  "\u200f",
  "\u202a",
  "\u202e",
  "\u2066",
  "\u2069",
  "\u200b",
  "\u00a0",
  "\u2028",
  "\u3000",
  "\ufeff",
  "\ufffd",
  "\uffff",
  "\u0301",
  "😀",
  "%",
  "\\",
  '"',
  "<",
  "/",
  ".",
];

const oddCharacter: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ODD_CHARACTERS),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
);

/** Text a person types: mostly ASCII, sometimes any script and emoji. */
export const typedText = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: "grapheme-ascii", minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength, maxLength }) },
  );

/** Short strings of odd characters. */
export const oddString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.string({ unit: oddCharacter, maxLength });

/** The lengths the contract bounds strings by. */
const BOUNDED_LENGTHS = [
  LIMITS.messageText,
  LIMITS.clientMsgId,
  LIMITS.groupName,
  LIMITS.usernameMin,
  LIMITS.usernameMax,
  LIMITS.passwordMin,
  LIMITS.passwordMax,
  LIMITS.idMax,
  15, // digits of a message id
];

/** Strings just inside and just past each bound, padded (trimming) or made of wide characters. */
export const edgeString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    " \t\n\u3000",
    "0",
    "-1",
    "1e3",
    "0x10",
    "00",
    "null",
    "true",
    "NaN",
    "__proto__",
    "constructor",
    "000000000000000",
    "9999999999999999",
  ),
  fc
    .tuple(
      fc.constantFrom(...BOUNDED_LENGTHS),
      fc.integer({ min: -1, max: 1 }),
      fc.constantFrom("a", "9", " ", "é", "😀", "\ud800", "\u202e"),
      fc.boolean(),
    )
    .map(([length, delta, character, padded]) => {
      const core = character.repeat(Math.max(0, length + delta));
      return padded ? ` ${core} ` : core;
    }),
);

/** Strings of a few thousand characters up to past the packet limit (counting UTF-8 and JSON escapes). */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({ unit: oddCharacter, minLength: 1, maxLength: 3 }),
    fc.integer({ min: 2_000, max: LIMITS.packetBytes + 1_000 }),
  )
  // slice() may cut a surrogate pair in two: one more lone surrogate.
  .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length));

/** The next double above `x` (below, with `direction` -1). */
function nextDouble(x: number, direction: 1 | -1): number {
  if (x === 0) return direction * Number.MIN_VALUE;
  const bits = new BigInt64Array(new Float64Array([x]).buffer);
  bits[0] = bits[0]! + BigInt(x > 0 === direction > 0 ? 1 : -1);
  return new Float64Array(bits.buffer)[0]!;
}

/** Bounds numeric fields have: coordinates, headings, page sizes. */
const NUMERIC_BOUNDS = [0, 1, 90, 180, 360, LIMITS.pageMax];

export const EDGE_NUMBERS: readonly number[] = [
  NaN,
  Infinity,
  -Infinity,
  -0,
  0.5,
  -0.5,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  Number.EPSILON,
  2 ** 31,
  -(2 ** 31),
  2 ** 32,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_SAFE_INTEGER,
  1e21, // where JSON switches to exponent notation
  ...NUMERIC_BOUNDS.flatMap((bound) => [
    bound,
    -bound,
    bound + 1,
    bound - 1,
    nextDouble(bound, 1),
    nextDouble(bound, -1),
    -nextDouble(bound, 1),
  ]),
];

export const edgeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...EDGE_NUMBERS),
  fc.double(),
  fc.integer(),
);

/** JSON text of arrays nested `depth` deep: cheap to send, costly to anything that recurses. */
export const nestedJson = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

/** Deeply nested arrays; only a few hundred deep, as fast-check's own stringify and the client's encoder recurse too. */
const deeplyNested: fc.Arbitrary<unknown> = fc
  .integer({ min: 50, max: 400 })
  .map((depth) => JSON.parse(nestedJson(depth)) as unknown);

/** Any value a client can emit: JSON of any shape, boxed values, dates, typed arrays (sent as binary). */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.anything({
      maxDepth: 4,
      maxKeys: 6,
      key: fc.oneof(oddString(12), fc.constantFrom("__proto__", "constructor", "groupId", "toJSON")),
      values: [oddString(), edgeString, edgeNumber, fc.boolean(), fc.constant(null), fc.constant(undefined)],
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withSparseArray: true,
      withTypedArray: true,
    }),
  },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: deeplyNested },
);
