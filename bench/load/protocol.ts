// What the orchestrator (run.ts) and a load process say to each other over IPC.

/** One simulated user device: one Engine.IO connection carrying the namespaces of the run. */
export interface ClientSpec {
  /** Convoy's access token; the bare server takes none. */
  token?: string;
  /**
   * The bare server's stand-in for an account: it echoes these in what it
   * sends, so that its payloads are as long as Convoy's (UUID ids, the same names).
   */
  identity?: { userId: string; username: string };
  groupId: string;
  /** Sends positions in the ride scenario. */
  rider?: boolean;
}

export type Command =
  | {
      cmd: "connect";
      url: string;
      namespaces: string[];
      clients: ClientSpec[];
      /** Source addresses for this process's connections (127.0.x.y), taken in turn (fleet.ts says why). */
      localAddresses: string[];
      /** Connections opened at once. */
      concurrency: number;
    }
  /**
   * Opens one more client that subscribes to the positions of every group in
   * `groupIds`, then stops reading from its connection: a phone that froze.
   */
  | { cmd: "stall"; url: string; token?: string; groupIds: string[]; localAddress: string }
  /** The stalled subscriber reads again: how many bytes were waiting for it (server and kernel). */
  | { cmd: "unstall" }
  | { cmd: "reset" }
  /** Sends `count` chat messages from this process's first `senders` clients, one every `intervalMs`. */
  | { cmd: "chat"; senders: number; count: number; intervalMs: number; firstSeq: number }
  /** Every rider sends a position `hz` times a second for `seconds`. */
  | { cmd: "ride"; seconds: number; hz: number }
  /**
   * Every client renews its session now, as on `session:expiring`: a token
   * refresh over HTTP, then `session:renew` on `sockets` of its namespaces
   * (0: the refresh alone), `concurrency` clients at a time.
   */
  | { cmd: "renew"; sockets: number; concurrency: number }
  | { cmd: "collect" }
  | { cmd: "close" };

export interface Collected {
  /** message:new and location:update events received since the last reset. */
  deliveries: number;
  /** Latency of each delivery (send → receipt), µs, HDR histogram as compressed base64. */
  latency: string;
  /** Chat: per message sequence number, when its last copy arrived here (epoch ms, fractional). */
  lastReceipt: Record<number, number>;
  /** This process's own CPU time since the last reset, ms. */
  cpuMs: number;
  /** Clients whose connection closed since they connected. */
  dropped: number;
}

export type Reply =
  | { cmd: "connect"; connected: number; failed: number; errors: string[] }
  | { cmd: "chat"; sent: Record<number, number>; failed: number }
  | { cmd: "ride"; sent: number }
  | { cmd: "renew"; renewed: number; failed: number; errors: string[] }
  | { cmd: "stall"; subscribed: number }
  /** `closed`: the server had cut the connection. */
  | { cmd: "unstall"; backlogBytes: number; closed: boolean }
  | ({ cmd: "collect" } & Collected)
  | { cmd: "reset" | "close" };
