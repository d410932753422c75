/** The Socket.IO room of a group; the same name in every namespace. */
export const roomOf = (groupId: string): string => `group:${groupId}`;
