// The Socket.IO adapter of clustered mode: Redis sharded Pub/Sub with a
// channel per group or user room, so a node hears the broadcasts of the rooms
// it has sockets in, not every broadcast of every node; on a Redis Cluster the
// channels spread over the shards. It is socket.io-adapter's ClusterAdapter
// (the library's base for a message bus) over our channels, because the
// redis-adapter's own "dynamic" mode subscribes without a way to wait: a
// message sent just after a join could miss the joining node. Here
// `hearing(rooms)` resolves once this node's subscriptions are active, and a
// join answers only then.
//
// Everything else (socket ids, session rooms, several rooms at once, acks,
// fetchSockets) goes on the namespace's channel, which every node hears.
import {
  ClusterAdapter,
  MessageType,
  type ClusterMessage,
  type ClusterResponse,
  type Room,
} from "socket.io-adapter";
import type { Namespace } from "socket.io";

/** The commands the adapter needs, as the `redis` package's client and cluster both have them. */
export interface PubSubClients {
  pub: {
    sPublish(channel: string, message: string): Promise<unknown>;
    pubSubShardNumSub(channels: string[]): Promise<Record<string, number>>;
  };
  sub: {
    sSubscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
    sUnsubscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  };
}

/** What a node counts of the messages other nodes published on the channels it hears. */
export interface CrossNodeCounts {
  received(namespace: string): { count: number };
  /** `own`: this node's broadcast, heard back; `no-local-sockets`: for rooms this node has no socket in. */
  dropped(namespace: string, reason: "own" | "no-local-sockets"): { count: number };
}

/**
 * Told when this node starts hearing a room's channel (before any join of it
 * answers) and when it stops: where the store must know which nodes hear a
 * room (see LocationStore.listen).
 */
export interface RoomListeners {
  subscribed(namespace: string, room: Room): Promise<void>;
  unsubscribed(namespace: string, room: Room): void;
}

export interface RoomChannelOptions {
  clients: PubSubClients;
  listeners?: RoomListeners;
  /** Rooms broadcast to one at a time, worth a channel each. */
  hasOwnChannel(room: Room): boolean;
  counts: CrossNodeCounts;
  onError(err: unknown, channel: string): void;
  prefix?: string;
}

/** An adapter that can say when this node hears a room (see `hearing` below). */
export interface HearsRooms {
  hearing(rooms: Iterable<Room>): Promise<void>;
  relayToRoom(room: Room, packet: unknown[]): void;
}

export const hearsRooms = (adapter: object): adapter is HearsRooms => adapter instanceof RoomChannelAdapter;

/** For `io.adapter()`, which calls it with `new` (so not an arrow function). */
export function createRoomChannelAdapter(options: RoomChannelOptions) {
  return function roomChannelAdapter(nsp: Namespace) {
    return new RoomChannelAdapter(nsp, options);
  };
}

class RoomChannelAdapter extends ClusterAdapter implements HearsRooms {
  private readonly channel: string;
  private readonly responseChannel: string;
  /** How this node's own messages start (see publishOn). */
  private readonly ownPrefix: string;
  /** This node's subscription to each channel it hears: pending, or settled. */
  private readonly subscriptions = new Map<string, Promise<void>>();
  private readonly received: { count: number };
  private readonly droppedOwn: { count: number };
  private readonly droppedElsewhere: { count: number };
  /**
   * One listener for every channel, passed to unsubscribe too: the redis
   * client, told to unsubscribe a channel without its listener, takes a
   * subscribe sent before that unsubscribe's reply for "already subscribed"
   * and sends nothing, and the channel is then lost (a room left and joined
   * again at once). With the listener it sends the subscribe anew.
   */
  private readonly listener = (raw: string, channel: string) => this.onRaw(raw, channel);

  private readonly options: RoomChannelOptions;

  constructor(nsp: Namespace, options: RoomChannelOptions) {
    super(nsp);
    this.options = options;
    this.channel = `${options.prefix ?? "convoy"}#${nsp.name}#`;
    this.responseChannel = `${this.channel}${this.uid}#`;
    this.ownPrefix = `{"uid":${JSON.stringify(this.uid)},`;
    this.received = options.counts.received(nsp.name);
    this.droppedOwn = options.counts.dropped(nsp.name, "own");
    this.droppedElsewhere = options.counts.dropped(nsp.name, "no-local-sockets");
    // Failures are logged by subscribe(); hearing() tries again.
    void this.subscribe(this.channel);
    void this.subscribe(this.responseChannel);
    this.on("create-room", (room: Room) => {
      if (this.ownChannel(room)) void this.subscribe(this.roomChannel(room), room);
    });
    this.on("delete-room", (room: Room) => {
      if (!this.ownChannel(room)) return;
      const channel = this.roomChannel(room);
      this.subscriptions.delete(channel);
      options.listeners?.unsubscribed(nsp.name, room);
      options.clients.sub
        .sUnsubscribe(channel, this.listener)
        .catch((err: unknown) => options.onError(err, channel));
    });
  }

  /**
   * Resolves once this node hears every one of these rooms that has a channel
   * (at once for rooms it heard already). A subscription that failed (Redis
   * away) is tried again, and the promise rejects if that fails too.
   */
  async hearing(rooms: Iterable<Room>): Promise<void> {
    const waits: Array<Promise<void>> = [this.heard(this.channel)];
    for (const room of rooms) if (this.ownChannel(room)) waits.push(this.heard(this.roomChannel(room), room));
    await Promise.all(waits);
  }

  /** Sends a server-side event (`nsp.on(event)` on the receiving nodes) only to the nodes that hear this room. */
  relayToRoom(room: Room, packet: unknown[]): void {
    // uid and nsp are set by publishOn; `room` tells the receivers whether they have sockets in it.
    const message = {
      type: MessageType.SERVER_SIDE_EMIT,
      data: { packet, room },
    } as unknown as ClusterMessage;
    const channel = this.ownChannel(room) ? this.roomChannel(room) : this.channel;
    this.publishOn(channel, message).catch((err: unknown) => this.options.onError(err, channel));
  }

  override close(): void {
    for (const channel of this.subscriptions.keys()) {
      this.options.clients.sub.sUnsubscribe(channel, this.listener).catch(() => {});
    }
    this.subscriptions.clear();
  }

  override doPublish(message: ClusterMessage): Promise<string> {
    return this.publishOn(this.channelOf(message), message).then(() => "");
  }

  override async doPublishResponse(requesterUid: string, response: ClusterResponse): Promise<void> {
    await this.options.clients.pub.sPublish(`${this.channel}${requesterUid}#`, JSON.stringify(response));
  }

  override async serverCount(): Promise<number> {
    const counts = await this.options.clients.pub.pubSubShardNumSub([this.channel]);
    return Number(counts[this.channel] ?? 0);
  }

  private async publishOn(channel: string, message: ClusterMessage): Promise<void> {
    // Convoy's payloads are JSON (validated on the way in): no binary to pack.
    // The uid goes first, so that this node knows its own messages, heard back, unparsed.
    const { uid: _uid, nsp: _nsp, ...rest } = message;
    const sent = { uid: this.uid, nsp: (this.nsp as Namespace).name, ...rest };
    await this.options.clients.pub.sPublish(channel, JSON.stringify(sent));
  }

  private channelOf(message: ClusterMessage): string {
    if (message.type !== MessageType.BROADCAST || message.data.requestId !== undefined) return this.channel;
    const rooms = message.data.opts.rooms;
    return rooms.length === 1 && this.ownChannel(rooms[0]!) ? this.roomChannel(rooms[0]!) : this.channel;
  }

  private ownChannel(room: Room): boolean {
    return !this.sids.has(room) && this.options.hasOwnChannel(room);
  }

  private roomChannel(room: Room): string {
    return `${this.channel}${String(room)}#`;
  }

  /** Subscribes; for a room, then tells the listeners, unless the room was left meanwhile. */
  private subscribe(channel: string, room?: Room): Promise<void> {
    const { listeners } = this.options;
    const active: Promise<void> = this.options.clients.sub
      .sSubscribe(channel, this.listener)
      .then(() =>
        room !== undefined && listeners && this.subscriptions.get(channel) === active
          ? listeners.subscribed((this.nsp as Namespace).name, room)
          : undefined,
      );
    this.subscriptions.set(channel, active);
    active.catch((err: unknown) => this.options.onError(err, channel));
    return active;
  }

  private heard(channel: string, room?: Room): Promise<void> {
    const subscription = this.subscriptions.get(channel);
    if (!subscription) return Promise.resolve();
    return subscription.catch(() => {
      // Still wanted (the room was not deleted meanwhile): subscribe again, once
      // for every waiter; a waiter that comes second waits for that retry.
      const current = this.subscriptions.get(channel);
      return current === subscription ? this.subscribe(channel, room) : current;
    });
  }

  private onRaw(raw: string, channel: string): void {
    this.received.count++;
    // Every broadcast to a room this node is in comes back: the adapter would ignore it.
    if (raw.startsWith(this.ownPrefix)) {
      this.droppedOwn.count++;
      return;
    }
    let message: ClusterMessage | ClusterResponse;
    try {
      message = JSON.parse(raw) as ClusterMessage | ClusterResponse;
    } catch (err) {
      this.options.onError(err, channel);
      return;
    }
    if (channel === this.responseChannel) {
      this.onResponse(message as ClusterResponse);
      return;
    }
    const cluster = message as ClusterMessage;
    if (!this.hasLocalSocketsFor(cluster)) this.droppedElsewhere.count++;
    this.onMessage(cluster);
  }

  /** False for a broadcast (or relay) to rooms without a socket on this node. */
  private hasLocalSocketsFor(message: ClusterMessage): boolean {
    let rooms: Room[] | undefined;
    if (message.type === MessageType.BROADCAST) rooms = message.data.opts.rooms;
    else if (message.type === MessageType.SERVER_SIDE_EMIT) {
      const room = (message.data as { room?: Room }).room;
      rooms = room === undefined ? undefined : [room];
    }
    if (!rooms) return true;
    if (rooms.length === 0) return this.sids.size > 0;
    return rooms.some((room) => this.rooms.has(room));
  }
}
