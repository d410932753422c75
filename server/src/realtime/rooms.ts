import type { Socket } from "socket.io";
import { hearsRooms } from "./room-channel-adapter.ts";

/** The Socket.IO room of a group; the same name in every namespace. */
export const roomOf = (groupId: string): string => `group:${groupId}`;

/** The group whose room this is, or null for another room. */
export const groupOfRoom = (room: string): string | null =>
  room.startsWith("group:") ? room.slice("group:".length) : null;

/** The room every socket of one user is in (per namespace where it is joined). */
export const userRoom = (userId: string): string => `user:${userId}`;

/** The room of every socket opened with a token of one session (in every namespace). */
export const sessionRoom = (sessionId: string): string => `session:${sessionId}`;

/** Rooms broadcast to on their own, worth a cross-node channel each; session rooms are only ever closed. */
export const hasOwnChannel = (room: string): boolean => room.startsWith("group:") || room.startsWith("user:");

/**
 * Joins the rooms and resolves once this node hears them from the other
 * nodes: an ack sent after this promises the client every later broadcast.
 */
export async function joinAndHear(socket: Socket, rooms: string | string[]): Promise<void> {
  await socket.join(rooms);
  const adapter = socket.nsp.adapter;
  if (hearsRooms(adapter)) await adapter.hearing(typeof rooms === "string" ? [rooms] : rooms);
}
