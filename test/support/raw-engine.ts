// A hand-driven Engine.IO long-polling client: the test decides when to poll,
// so it can play a client that falls behind. Protocol: Engine.IO v4 packets,
// joined by \x1e; Socket.IO packets inside "4" (message) packets.

const SEPARATOR = "\x1e";

export interface RawPolling {
  sid: string;
  /** Sends Socket.IO packets, e.g. `0/chat,{"token":"…"}`. */
  send(...packets: string[]): Promise<number>;
  /** One poll: the Engine.IO packets waiting for us, pings answered. */
  poll(): Promise<{ status: number; packets: string[] }>;
}

export async function openPolling(baseUrl: string): Promise<RawPolling> {
  const endpoint = `${baseUrl}/socket.io/?EIO=4&transport=polling`;
  const handshake = await fetch(endpoint);
  const body = await handshake.text();
  if (!body.startsWith("0")) throw new Error(`unexpected handshake: ${body}`);
  const { sid } = JSON.parse(body.slice(1)) as { sid: string };
  const url = `${endpoint}&sid=${sid}`;

  const post = async (enginePackets: string[]) => {
    const res = await fetch(url, {
      method: "POST",
      body: enginePackets.join(SEPARATOR),
      headers: { "content-type": "text/plain" },
    });
    await res.text();
    return res.status;
  };

  return {
    sid,
    send: (...packets) => post(packets.map((packet) => `4${packet}`)),
    async poll() {
      const res = await fetch(url);
      const text = await res.text();
      if (res.status !== 200) return { status: res.status, packets: [] };
      const packets = text.split(SEPARATOR);
      if (packets.includes("2")) await post(["3"]);
      return { status: 200, packets };
    },
  };
}

/** Socket.IO events in a poll's packets for one namespace: `42/nsp,["event",payload]`. */
export function eventsIn(packets: string[], nsp: string, event: string): unknown[] {
  const prefix = `42${nsp},`;
  return packets
    .filter((packet) => packet.startsWith(prefix))
    .map((packet) => JSON.parse(packet.slice(prefix.length)) as [string, unknown])
    .filter(([name]) => name === event)
    .map(([, payload]) => payload);
}

/** Polls until a packet passes `match`, at most `tries` polls. */
export async function pollUntil(
  raw: RawPolling,
  match: (packet: string) => boolean,
  tries = 20,
): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < tries; i++) {
    const { packets } = await raw.poll();
    seen.push(...packets);
    if (packets.some(match)) return seen;
  }
  throw new Error(`no matching packet in ${tries} polls: ${seen.join(" | ").slice(0, 300)}`);
}

/** Connects the raw session to `nsp` with a token and sends one event with ack id 1, awaiting the ack. */
export async function joinWithRawPolling(
  raw: RawPolling,
  nsp: string,
  token: string,
  event: string,
  payload: unknown,
) {
  await raw.send(`0${nsp},${JSON.stringify({ token })}`);
  await pollUntil(raw, (p) => p.startsWith(`40${nsp},`));
  await raw.send(`2${nsp},1${JSON.stringify([event, payload])}`);
  await pollUntil(raw, (p) => p.startsWith(`43${nsp},1`));
}
