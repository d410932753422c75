/** The Socket.IO room of a group; the same name in every namespace. */
export const roomOf = (groupId: string): string => `group:${groupId}`;

/** The room every socket of one user is in (per namespace where it is joined). */
export const userRoom = (userId: string): string => `user:${userId}`;

/** The room of every socket opened with a token of one session (in every namespace). */
export const sessionRoom = (sessionId: string): string => `session:${sessionId}`;
