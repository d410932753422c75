// Message ids are the group's sequence number, zero-padded so that string order
// is send order. Both store implementations use this.
const WIDTH = 12;

export const messageId = (seq: number): string => String(seq).padStart(WIDTH, "0");
