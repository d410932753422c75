// What a Socket.IO client sends for an emit and what the node decodes from it,
// computed with the socket.io-parser both of them use. The fuzz suite judges a
// case by what the node receives: the encoder changes some values (a "__proto__"
// key beside binary data sets a prototype) and the decoder refuses others.
import { Decoder, Encoder, PacketType, type Packet } from "socket.io-parser";

export type Wire =
  | { kind: "unencodable"; reason: string }
  | {
      kind: "sent";
      /** Bytes of each WebSocket message: the packet, then one per binary attachment. */
      frames: number[];
      /** The arguments the node's handlers get (the ack aside); null when its decoder refuses the packet. */
      decoded: unknown[] | null;
    };

export function onTheWire(nsp: string, event: unknown, args: unknown[], withAck: boolean): Wire {
  let encoded: Array<string | ArrayBufferLike | ArrayBufferView>;
  try {
    encoded = new Encoder().encode({
      type: PacketType.EVENT,
      nsp,
      data: [event, ...args],
      ...(withAck ? { id: 0 } : {}),
    }) as typeof encoded;
  } catch (err) {
    return { kind: "unencodable", reason: String(err) };
  }
  // A text message carries Engine.IO's "4" (message) before the packet.
  const frames = encoded.map((part) =>
    typeof part === "string" ? Buffer.byteLength(part) + 1 : part.byteLength,
  );

  let decoded: unknown[] | null = null;
  const decoder = new Decoder();
  decoder.on("decoded", (packet: Packet) => {
    decoded = (packet.data as unknown[]).slice(1);
  });
  try {
    for (const part of encoded) decoder.add(part);
  } catch {
    decoded = null;
  }
  return { kind: "sent", frames, decoded };
}
