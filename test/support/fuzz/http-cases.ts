// Fuzz cases for HTTP routes: the method, path parameters (maybe malformed
// %-escapes), query, Authorization header, content type and body (valid,
// mutated, any JSON or not JSON at all), and the run that checks the answer:
// never a 5xx, errors as {error: {code, message}}, the status the model expects.
import assert from "node:assert/strict";
import { parse as parseQuery } from "node:querystring";
import { ErrorCode, LIMITS, type ErrorBody } from "@convoy/shared";
import fc from "fast-check";
import type { TestApp } from "../app.ts";
import type { RouteKey, Routes } from "../routes.ts";
import { anyValue, edgeString, hugeString, nestedJson, oddString } from "./hostile-values.ts";
import type { Expected, Incoming, RouteSpec } from "./http-routes.ts";
import { mutated } from "./mutate.ts";
import { ABUSE_CODES, ACK_BOUND_MS } from "./socket-cases.ts";
import type { Tally } from "./tally.ts";
import type { World } from "./world.ts";

export interface HttpCase {
  method: string;
  /** Path parameters, percent-encoded already (some malformed on purpose). */
  params: Record<string, string>;
  /** Encoded, without "?". */
  query: string;
  /** A template: "{token}" stands for the session's token, "{tampered}" for it with one character changed. */
  authorization: string | null;
  contentType: string | null;
  body: string | undefined;
}

const LONE_SURROGATE = /\p{Surrogate}/u;

/** encodeURIComponent, except that a lone surrogate becomes its three WTF-8 bytes, which no decoder accepts. */
function percentEncode(text: string): string {
  return text
    .split(/(\p{Surrogate})/u)
    .map((part) =>
      LONE_SURROGATE.test(part)
        ? [
            0xe0 | (part.charCodeAt(0) >> 12),
            0x80 | ((part.charCodeAt(0) >> 6) & 0x3f),
            0x80 | (part.charCodeAt(0) & 0x3f),
          ]
            .map((byte) => `%${byte.toString(16).toUpperCase()}`)
            .join("")
        : encodeURIComponent(part),
    )
    .join("");
}

/**
 * A path segment. Not empty ("/api/groups/" is another route), and not "." or "..",
 * which the URL parser resolves away before the request leaves.
 */
const segment = (text: string) => (/^\.{0,2}$/.test(text) ? `${text}x` : percentEncode(text));

/** Escapes that do not decode: truncated, not hex, an overlong form, a surrogate's bytes. */
const MALFORMED_ESCAPES = ["%", "%zz", "%E0%A4%A", "%C0%AF", "%ED%A0%80", "a%", "%%41"];

/** Keeps the request line well under Node's 16 KiB header limit, which answers 431 before any of our code. */
const shortEnough = (encoded: string) => encoded.length <= 4_000;

function encodeQuery(values: unknown): string {
  if (typeof values !== "object" || values === null) return percentEncode(String(values));
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const text = typeof item === "object" && item !== null ? JSON.stringify(item) : String(item);
      pairs.push(`${percentEncode(key)}=${percentEncode(text)}`);
    }
  }
  return pairs.join("&");
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

const VALID_AUTHORIZATION = "Bearer {token}";

/** The token with a character of its claims changed: well-formed, but its signature no longer fits. */
function tamperedWith(token: string): string {
  const [header, claims, signature] = token.split(".") as [string, string, string];
  const middle = Math.floor(claims.length / 2);
  const changed = claims[middle] === "A" ? "B" : "A";
  return `${header}.${claims.slice(0, middle)}${changed}${claims.slice(middle + 1)}.${signature}`;
}

/** `key`: "METHOD /path" as the docs write it. */
export function httpCases(key: string, route: RouteSpec, world: World): fc.Arbitrary<HttpCase> {
  const [documented, path] = key.split(" ") as [string, string];
  const method = fc.oneof(
    { weight: 19, arbitrary: fc.constant(documented) },
    { weight: 1, arbitrary: fc.constantFrom(...METHODS.filter((other) => other !== documented)) },
  );

  const names = [...path.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  const validParams: fc.Arbitrary<Record<string, string>> = route.params?.(world) ?? fc.constant({});
  const params = validParams.chain((valid) =>
    fc.record(
      Object.fromEntries(
        names.map((name) => [
          name,
          fc.oneof(
            { weight: 4, arbitrary: fc.constant(segment(valid[name] ?? "")) },
            { weight: 2, arbitrary: fc.oneof(oddString(), edgeString).map(segment).filter(shortEnough) },
            { weight: 1, arbitrary: fc.constantFrom(...MALFORMED_ESCAPES) },
          ),
        ]),
      ),
    ),
  );

  const validQuery = route.query?.(world);
  const query = fc.oneof(
    { weight: 4, arbitrary: validQuery?.map(encodeQuery) ?? fc.constant("") },
    {
      weight: validQuery ? 4 : 1,
      arbitrary: (validQuery ? mutated(validQuery, world.groupIds) : anyValue)
        .map(encodeQuery)
        .filter(shortEnough),
    },
    { weight: 1, arbitrary: fc.constantFrom("limit=%zz", "before=1&before=2", "limit[]=1", "cb=1&limit=") },
  );

  const authorization = fc.oneof(
    { weight: route.auth ? 12 : 1, arbitrary: fc.constant(VALID_AUTHORIZATION) },
    { weight: 1, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "Bearer",
        "bearer {token}",
        "Bearer  {token}",
        "Bearer {token}x",
        "Bearer {tampered}",
        "Basic dXNlcjpwYXNz",
      ),
    },
    {
      weight: 1,
      arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 60 }).map((text) => `Bearer ${text}`),
    },
  );

  const validBody = route.body?.(world);
  const json = (value: fc.Arbitrary<unknown>) =>
    value.map((body) => JSON.stringify(body) as string | undefined);
  const notJson = fc.oneof(
    oddString(60),
    hugeString,
    fc.constantFrom("", "null", "[]", "{", "{}x", '"x"', "1", "true", "\ufeff{}", " \n{}", '{"a":1,}'),
    // As deep as the body limit allows: the node parses it, and nothing may recurse on it.
    fc.constant(nestedJson(LIMITS.packetBytes / 2)),
  );
  const body = fc.oneof(
    ...(validBody
      ? [
          { weight: 3, arbitrary: json(validBody) },
          { weight: 4, arbitrary: json(mutated(validBody, world.groupIds)) },
        ]
      : [{ weight: 8, arbitrary: fc.constant(undefined) }]),
    { weight: 1, arbitrary: json(anyValue) },
    { weight: 1, arbitrary: notJson },
  );
  const contentType = fc.oneof(
    { weight: 12, arbitrary: fc.constant("application/json") },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "application/json; charset=utf-8",
        "application/json; charset=latin1",
        "text/plain",
        "application/x-www-form-urlencoded",
      ),
    },
    { weight: 1, arbitrary: fc.constant(null) },
  );

  return fc
    .record({ method, params, query, authorization, contentType, body })
    .map((c) => (c.method === "GET" ? { ...c, body: undefined } : c));
}

/** What Express's JSON parser makes of a body: the value, or the status it refuses it with. */
function parseBody(contentType: string | null, body: string): { value: unknown } | { status: number } {
  // fetch gives a string body without a type text/plain.
  const [mime, ...parameters] = (contentType ?? "text/plain")
    .split(";")
    .map((part) => part.trim().toLowerCase());
  if (mime !== "application/json") return { value: undefined };
  const charset = parameters.find((parameter) => parameter.startsWith("charset="))?.slice(8) ?? "utf-8";
  if (!charset.startsWith("utf-")) return { status: 415 };
  // fetch sends UTF-8, a lone surrogate as U+FFFD; the decoder drops a byte order mark.
  const sent = body.replace(/\p{Surrogate}/gu, "\ufffd");
  if (Buffer.byteLength(sent) > LIMITS.packetBytes) return { status: 413 };
  const text = sent.replace(/^\ufeff/, "");
  if (text.length === 0) return { value: {} };
  // Strict mode: an object or an array only.
  if (!/^[ \t\n\r]*[{[]/.test(text)) return { status: 400 };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { status: 400 };
  }
}

function decodeParams(params: Record<string, string>): Record<string, string> | null {
  try {
    return Object.fromEntries(
      Object.entries(params).map(([name, value]) => [name, decodeURIComponent(value)]),
    );
  } catch {
    return null;
  }
}

const refused = (status: number, code: ErrorCode): Expected => ({ status, code });

/** `incoming` is set when the request reached the route's own checks. */
type Judgement = { expected: Expected; incoming?: Incoming };

/** The answer the case earns, in the order the node checks: body, token, path, the route's checks, the model. */
function expectation(key: string, route: RouteSpec, c: HttpCase, world: World): Judgement | null {
  const [documented, path] = key.split(" ") as [string, string];
  if (c.method !== documented) return null;
  let body: unknown;
  // fetch sends a POST without a body with Content-Length: 0, which the parser reads as "".
  if (path.startsWith("/api/") && (c.body !== undefined || c.method === "POST")) {
    const parsed = parseBody(c.contentType, c.body ?? "");
    if ("status" in parsed) return { expected: refused(parsed.status, "VALIDATION_FAILED") };
    body = parsed.value;
  }
  if (route.auth && c.authorization !== VALID_AUTHORIZATION)
    return { expected: refused(401, "UNAUTHORIZED") };
  const params = decodeParams(c.params);
  if (!params) return { expected: refused(400, "VALIDATION_FAILED") };
  const incoming: Incoming = { params, query: { ...parseQuery(c.query) }, body };
  if (!route.accepts(incoming)) return { expected: refused(400, "VALIDATION_FAILED"), incoming };
  return { expected: route.expect(incoming, world), incoming };
}

/**
 * Sends one request and checks: no 5xx; an error as JSON {error: {code, message}}
 * with a contract code; the status and code the model expects (a documented
 * method only: another may land on a neighbouring route).
 */
export async function runHttpCase(
  app: TestApp,
  key: string,
  route: RouteSpec,
  c: HttpCase,
  world: World,
  tally: Tally,
): Promise<void> {
  const path = key.split(" ")[1]!.replace(/:(\w+)/g, (_match, name: string) => c.params[name]!);
  const session = (await route.session?.(world)) ?? world.peer;
  const authorization = c.authorization
    ?.replace("{token}", session.token)
    .replace("{tampered}", tamperedWith(session.token));
  const res = await fetch(`${app.url}${path}${c.query ? `?${c.query}` : ""}`, {
    method: c.method,
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      ...(c.contentType === null ? {} : { "content-type": c.contentType }),
    },
    body: c.body,
    signal: AbortSignal.timeout(ACK_BOUND_MS),
  });
  const text = await res.text();
  const what = `${c.method} ${path.slice(0, 200)} answered ${res.status} ${text.slice(0, 300)}`;
  assert.ok(res.status < 500, what);

  let error: ErrorBody | undefined;
  if (res.status >= 400) {
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/, `not JSON: ${what}`);
    const answered = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    assert.ok(Object.values(ErrorCode).includes(answered?.code as ErrorCode), `no contract code: ${what}`);
    assert.equal(typeof answered?.message, "string", `no message: ${what}`);
    error = answered as ErrorBody;
  }
  const code = error?.code;
  tally.count(`${res.status}${code ? ` ${code}` : ""}`);

  const judged = expectation(key, route, c, world);
  if (!judged) return;
  if (code && ABUSE_CODES.has(code)) return;
  const { expected, incoming } = judged;
  assert.deepEqual({ status: res.status, code }, { status: expected.status, code: expected.code }, what);
  if (incoming) {
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // /metrics is text
    }
    // Typed as the route's success body, as http() does: `after` reads it once the status says success.
    const answer = { status: res.status, body: body as Routes[RouteKey]["answer"], error };
    await route.after?.(incoming, answer, { world, app, session });
  }
}
