// A load process: holds a share of the simulated clients (a process may open
// at most 20,000 files here) and runs the orchestrator's commands on them.
// Latencies are measured from send to receipt with one clock: every process
// of the run is on this machine.
import { LIMITS } from "@convoy/shared";
import { encodeIntoCompressedBase64, type Histogram } from "hdr-histogram-js";
import { latencyHistogram } from "../lib/histogram.ts";
import type { Socket as TcpSocket } from "node:net";
import { Manager, type Socket } from "socket.io-client";
import type { ClientSpec, Collected, Command, Reply } from "./protocol.ts";

interface Client {
  spec: ClientSpec;
  /** The server's URL, for token refreshes. */
  url: string;
  manager: Manager;
  sockets: Map<string, Socket>;
}

const clients: Client[] = [];
let latency: Histogram = latencyHistogram();
let deliveries = 0;
let dropped = 0;
let lastReceipt: Record<number, number> = {};
let cpuAtReset = process.cpuUsage();

/** Epoch ms with sub-millisecond resolution; comparable across this machine's processes. */
const now = () => performance.timeOrigin + performance.now();

function recordLatency(since: number): void {
  latency.recordValue(Math.max(1, Math.round((now() - since) * 1000)));
}

function record(sentAt: number): void {
  deliveries++;
  recordLatency(sentAt);
}

const ACK_MS = 10_000;
async function ask(socket: Socket, event: string, payload: unknown): Promise<boolean> {
  return (await refusal(socket, event, payload)) === null;
}

/** Null when the server answered ok; else why not: its error code and message, or no answer in time. */
async function refusal(socket: Socket, event: string, payload: unknown): Promise<string | null> {
  try {
    const reply = (await socket.timeout(ACK_MS).emitWithAck(event, payload)) as {
      ok: boolean;
      error?: { code: string; message: string };
    };
    return reply.ok ? null : `${event}: ${reply.error?.code} (${reply.error?.message})`;
  } catch {
    return `${event}: no answer within ${ACK_MS / 1000} s`;
  }
}

/** A client that has not connected and joined in this long failed (its connection may have closed unnoticed). */
const OPEN_MS = 60_000;
/**
 * A token older than this is refreshed before the handshake, as the app renews
 * a stored session on opening: so that no client connects with a token about to
 * expire. The hold registers and connects in waves, so its tokens are a few
 * minutes old at most; a slow wave would otherwise see its last ones expire.
 */
const FRESH_TOKEN_MS = 5 * 60_000;

/** When a Convoy access token (a JWT) expires, in epoch ms (Convoy's tokens carry no `iat`). */
const expiryOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { exp: number }).exp * 1000;

/** Issued more than FRESH_TOKEN_MS ago: less of its lifetime is left than a fresh one's, less that. */
const isStale = (token: string) => expiryOf(token) - Date.now() < LIMITS.tokenTtlMs - FRESH_TOKEN_MS;

async function refreshed(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/refresh`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`refresh: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * Renews the client's token as the app does: a large run connects for longer
 * than a token lives (15 minutes), and the server closes a socket whose token
 * expired. The warning comes on every namespace; one renewal serves them all.
 */
function keepSessionAlive(client: Client): void {
  const first = client.sockets.values().next().value;
  first?.on("session:expiring", () => {
    renew(client, client.sockets.size).catch(() => {
      // Not renewed: the server closes the sockets at expiry, and they count as dropped.
    });
  });
}

/** A fresh token, then `session:renew` with it on the first `sockets` of the client's namespaces. */
async function renew(client: Client, sockets: number): Promise<void> {
  if (!client.spec.token) throw new Error("renew: this client has no token (not a Convoy client)");
  const token = await refreshed(client.url, client.spec.token);
  client.spec.token = token;
  const renewing = [...client.sockets.values()].slice(0, sockets);
  const refused = await Promise.all(renewing.map((socket) => refusal(socket, "session:renew", { token })));
  const why = refused.filter((reason) => reason !== null);
  if (why.length > 0) throw new Error(why.join("; "));
}

/** Opens the client's namespaces on one connection, then joins its group's rooms; fails after OPEN_MS. */
async function open(
  spec: ClientSpec,
  url: string,
  namespaces: string[],
  localAddress: string,
): Promise<Client> {
  if (spec.token && isStale(spec.token)) {
    spec.token = await refreshed(url, spec.token);
  }
  let client: Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`not connected and joined within ${OPEN_MS / 1000} s`)),
      OPEN_MS,
    );
  });
  try {
    const opened = await Promise.race([
      connectAndJoin(spec, url, namespaces, localAddress, (c) => (client = c)),
      timeout,
    ]);
    if (spec.token) keepSessionAlive(opened);
    return opened;
  } catch (err) {
    client?.manager.engine?.close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function connectAndJoin(
  spec: ClientSpec,
  url: string,
  namespaces: string[],
  localAddress: string,
  made: (client: Client) => void,
): Promise<Client> {
  const manager = new Manager(url, {
    transports: ["websocket"],
    reconnection: false,
    autoConnect: false,
    timeout: 20_000,
    localAddress,
    // As Convoy's app does: the worker of its group (server/src/affinity.ts). Bare ignores it.
    query: { affinity: spec.groupId },
  } as ConstructorParameters<typeof Manager>[1]);
  const client: Client = { spec, url, manager, sockets: new Map() };
  made(client);
  await Promise.all(
    namespaces.map(
      (nsp) =>
        new Promise<void>((resolve, reject) => {
          const auth = spec.token ? { token: spec.token } : (spec.identity ?? {});
          const socket = manager.socket(nsp, { auth });
          client.sockets.set(nsp, socket);
          socket.once("connect", () => resolve());
          socket.once("connect_error", (err) => reject(err));
          // The connection closed before this namespace connected (no connect_error then).
          socket.once("disconnect", (reason) => reject(new Error(`closed before connecting: ${reason}`)));
          socket.on("disconnect", (reason) => {
            if (reason !== "io client disconnect") dropped++;
          });
          socket.connect();
        }),
    ),
  );
  const chat = client.sockets.get("/chat");
  const presence = client.sockets.get("/presence");
  const location = client.sockets.get("/location");
  const groupId = spec.groupId;
  chat?.on("message:new", (message: { text: string }) => {
    // text: "<seq> <sent at>"
    const [seq, sentAt] = message.text.split(" ").map(Number);
    record(sentAt!);
    const at = now();
    if (!(lastReceipt[seq!]! >= at)) lastReceipt[seq!] = at;
  });
  location?.on("location:update", (position: { ts: number }) => record(position.ts));
  const refused = await Promise.all([
    chat ? refusal(chat, "room:join", { groupId }) : null,
    presence ? refusal(presence, "presence:subscribe", { groupId }) : null,
    location ? refusal(location, "location:subscribe", { groupId }) : null,
    location && spec.rider ? refusal(location, "location:share", { groupId, sharing: true }) : null,
  ]);
  const why = refused.filter((reason) => reason !== null);
  if (why.length > 0) throw new Error(`joining ${groupId} was refused: ${why.join("; ")}`);
  return client;
}

/** The stalled subscriber: reads nothing from the moment it is subscribed. */
let stalled: { manager: Manager; tcp: TcpSocket; closeReason: string | null } | null = null;
/** Reading again: the backlog has arrived once nothing came for this long. */
const QUIET_MS = 1000;
const BACKLOG_MAX_MS = 60_000;

async function stall(command: Extract<Command, { cmd: "stall" }>): Promise<Reply> {
  const manager = new Manager(command.url, {
    transports: ["websocket"],
    reconnection: false,
    timeout: 20_000,
    localAddress: command.localAddress,
  } as ConstructorParameters<typeof Manager>[1]);
  try {
    const location = manager.socket("/location", { auth: command.token ? { token: command.token } : {} });
    await new Promise<void>((resolve, reject) => {
      location.once("connect", resolve);
      location.once("connect_error", reject);
    });
    const joined = await Promise.all(
      command.groupIds.map((groupId) => ask(location, "location:subscribe", { groupId })),
    );
    if (joined.includes(false)) throw new Error("the stalled subscriber was refused a group");
    // engine.io-client's WebSocket transport runs on ws, whose TCP socket is `_socket`.
    const transport = manager.engine.transport as unknown as { ws?: { _socket?: TcpSocket } };
    const tcp = transport.ws?._socket;
    if (!tcp) throw new Error("no TCP socket under the stalled subscriber's transport");
    const state = { manager, tcp, closeReason: null as string | null };
    // Not reading, the client misses pings: after ping interval + timeout (40 s) it gives up by itself.
    manager.engine.once("close", (reason: string) => (state.closeReason = reason));
    tcp.pause();
    stalled = state;
    return { cmd: "stall", subscribed: joined.length };
  } catch (err) {
    manager.engine?.close();
    throw err;
  }
}

async function unstall(): Promise<Reply> {
  if (!stalled) throw new Error("no stalled subscriber");
  const state = stalled;
  const { tcp } = state;
  let backlogBytes = 0;
  await new Promise<void>((resolve) => {
    const finish = () => {
      clearTimeout(quiet);
      clearTimeout(giveUp);
      tcp.off("data", onData);
      resolve();
    };
    const quiet = setTimeout(finish, QUIET_MS);
    const giveUp = setTimeout(finish, BACKLOG_MAX_MS);
    const onData = (chunk: Buffer) => {
      backlogBytes += chunk.length;
      quiet.refresh();
    };
    tcp.on("data", onData);
    tcp.resume();
  });
  // The server cut it if the connection closed for any reason but the client's own ping timeout.
  const closed = (tcp.destroyed || state.closeReason !== null) && state.closeReason !== "ping timeout";
  return { cmd: "unstall", backlogBytes, closed };
}

/** Runs `work` on every item, `concurrency` at a time; counts the failures and keeps a few of their reasons. */
async function inLanes<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<{ failed: number; errors: string[] }> {
  let next = 0;
  let failed = 0;
  const errors: string[] = [];
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { failed, errors };
}

async function connectAll(command: Extract<Command, { cmd: "connect" }>): Promise<Reply> {
  const addresses = command.localAddresses;
  const { failed, errors } = await inLanes(command.clients, command.concurrency, async (spec, index) => {
    const started = now();
    const localAddress = addresses[index % addresses.length]!;
    clients.push(await open(spec, command.url, command.namespaces, localAddress));
    // The handshake time (every namespace connected, every room joined) goes into the latency
    // histogram, which a scenario resets before it measures deliveries.
    recordLatency(started);
  });
  return { cmd: "connect", connected: command.clients.length - failed, failed, errors };
}

async function renewAll(command: Extract<Command, { cmd: "renew" }>): Promise<Reply> {
  const { failed, errors } = await inLanes(clients, command.concurrency, (client) =>
    renew(client, command.sockets),
  );
  return { cmd: "renew", renewed: clients.length - failed, failed, errors };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function chat(command: Extract<Command, { cmd: "chat" }>): Promise<Reply> {
  const senders = clients.slice(0, command.senders);
  const sent: Record<number, number> = {};
  let failed = 0;
  const pending: Promise<void>[] = [];
  const start = now();
  for (let i = 0; i < command.count; i++) {
    // On schedule, not after the previous ack: the offered load is fixed.
    const due = start + i * command.intervalMs;
    if (due > now()) await sleep(due - now());
    const seq = command.firstSeq + i;
    const socket = senders[i % senders.length]!.sockets.get("/chat")!;
    const sentAt = now();
    sent[seq] = sentAt;
    const payload = { groupId: senders[0]!.spec.groupId, text: `${seq} ${sentAt}`, clientMsgId: `b${seq}` };
    pending.push(ask(socket, "message:send", payload).then((ok) => void (ok || failed++)));
  }
  await Promise.all(pending);
  return { cmd: "chat", sent, failed };
}

async function ride(command: Extract<Command, { cmd: "ride" }>): Promise<Reply> {
  const riders = clients.filter((c) => c.spec.rider);
  const period = 1000 / command.hz;
  let sent = 0;
  const until = now() + command.seconds * 1000;
  // Each rider on its own phase, as real riders are: the load is spread over the second.
  await Promise.all(
    riders.map(async (rider, i) => {
      await sleep((period * i) / riders.length);
      const socket = rider.sockets.get("/location")!;
      for (let n = 0; now() < until; n++) {
        const payload = {
          groupId: rider.spec.groupId,
          lat: 46.5 + n * 1e-5,
          lng: 8.5 + i * 1e-5,
          // Every field the app sends (client/src/features/map/location.ts), so both servers relay the same bytes.
          accuracy: 5,
          heading: 90,
          speed: 20,
          ts: Math.round(now()),
        };
        sent++;
        // No ack: a position is fire-and-forget, as the app sends it.
        socket.emit("location:update", payload);
        await sleep(period);
      }
    }),
  );
  return { cmd: "ride", sent };
}

function collect(): Reply {
  const cpu = process.cpuUsage(cpuAtReset);
  const collected: Collected = {
    deliveries,
    latency: encodeIntoCompressedBase64(latency),
    lastReceipt,
    cpuMs: (cpu.user + cpu.system) / 1000,
    dropped,
  };
  return { cmd: "collect", ...collected };
}

async function handle(command: Command): Promise<Reply> {
  switch (command.cmd) {
    case "connect":
      return connectAll(command);
    case "reset":
      latency = latencyHistogram();
      deliveries = 0;
      dropped = 0;
      lastReceipt = {};
      cpuAtReset = process.cpuUsage();
      return { cmd: "reset" };
    case "chat":
      return chat(command);
    case "ride":
      return ride(command);
    case "renew":
      return renewAll(command);
    case "stall":
      return stall(command);
    case "unstall":
      return unstall();
    case "collect":
      return collect();
    case "close":
      for (const client of clients) client.manager.engine?.close();
      clients.length = 0;
      stalled?.manager.engine?.close();
      stalled = null;
      return { cmd: "close" };
  }
}

process.on("message", (command: Command) => {
  handle(command).then(
    (reply) => process.send!(reply),
    (err: unknown) => process.send!({ cmd: "error", message: String(err) }),
  );
});
// The orchestrator went away: so do we.
process.on("disconnect", () => process.exit(0));
