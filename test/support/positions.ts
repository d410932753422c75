// A rider's position update for the multi-node tests: a fixed place, only the
// device ts moves (a later ts is a newer position).
import type { LocationUpdate } from "@convoy/shared";

export const fixAt = (groupId: string, ts: number): LocationUpdate => ({
  groupId,
  lat: 45.9,
  lng: 6.8,
  accuracy: null,
  heading: null,
  speed: null,
  ts,
});
