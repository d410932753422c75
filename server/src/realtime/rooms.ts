/** The Socket.IO room of a group; the same name in every namespace. */
export const roomOf = (groupId: string): string => `group:${groupId}`;

/** The room every socket of one user is in (per namespace where it is joined). */
export const userRoom = (userId: string): string => `user:${userId}`;
