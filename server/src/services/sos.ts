// SOS (issue #14): a rider raises one in a group; members send receipts
// (delivered, seen, acknowledged: "I'm coming"); the raiser or a member who
// acknowledged resolves it. Who may act is checked before whether the SOS still
// allows it: NOT_FOUND, then FORBIDDEN, then CONFLICT.
import { randomUUID } from "node:crypto";
import type { RaiseSos, Sos, SosReceiptState, User } from "@convoy/shared";
import type { Clock } from "../clock.ts";
import { AppError } from "../errors.ts";
import type { SosStore } from "../stores/types.ts";
import type { Groups } from "./groups.ts";

export function createSosService(
  store: SosStore,
  groups: Groups,
  clock: Clock,
  limits: { sosResendMs: number; sosSendsMax: number; sosKept: number },
) {
  /** The SOS, for a member of its group: NOT_FOUND when there is none, FORBIDDEN for anyone else. */
  async function requireVisible(sosId: string, userId: string): Promise<Sos> {
    const sos = await store.find(sosId);
    if (!sos) throw new AppError("NOT_FOUND", "no such SOS");
    await groups.requireMember(sos.groupId, userId);
    return sos;
  }
  const resolvedConflict = () => new AppError("CONFLICT", "this SOS is resolved");

  return {
    /** `isNew` false: the sender's SOS with that clientSosId, or their open one in the group. */
    async raise(user: User, input: RaiseSos): Promise<{ sos: Sos; isNew: boolean }> {
      await groups.requireMember(input.groupId, user.id);
      const raisedAt = clock.now();
      return store.raise(
        {
          id: randomUUID(),
          groupId: input.groupId,
          userId: user.id,
          username: user.username,
          clientSosId: input.clientSosId,
          note: input.note,
          fix: input.fix,
          raisedAt,
        },
        limits.sosSendsMax > 1 ? raisedAt + limits.sosResendMs : null,
      );
    },

    /** `changed` false: the user had reached that step already (another of their devices). */
    async receipt(
      user: User,
      sosId: string,
      state: SosReceiptState,
    ): Promise<{ sos: Sos; changed: boolean }> {
      const sos = await requireVisible(sosId, user.id);
      if (sos.userId === user.id)
        throw new AppError("FORBIDDEN", "the raiser sends no receipts for their SOS");
      if (sos.resolvedAt !== null) throw resolvedConflict();
      const result = await store.receipt(sosId, {
        userId: user.id,
        username: user.username,
        state,
        at: clock.now(),
      });
      if (!result) throw new AppError("NOT_FOUND", "no such SOS");
      if (result.sos.resolvedAt !== null) throw resolvedConflict();
      return result;
    },

    async resolve(user: User, sosId: string): Promise<Sos> {
      const sos = await requireVisible(sosId, user.id);
      const acknowledged = sos.receipts.some(
        (receipt) => receipt.userId === user.id && receipt.state === "acknowledged",
      );
      if (sos.userId !== user.id && !acknowledged) {
        throw new AppError("FORBIDDEN", "only the raiser or a member who acknowledged may resolve an SOS");
      }
      if (sos.resolvedAt !== null) throw resolvedConflict();
      const result = await store.resolve(sosId, { userId: user.id, at: clock.now(), keep: limits.sosKept });
      if (!result) throw new AppError("NOT_FOUND", "no such SOS");
      if (!result.changed) throw resolvedConflict();
      return result.sos;
    },

    /** The open SOSes of every group the user is in, oldest first. */
    async active(user: User): Promise<Sos[]> {
      return store.active(await groups.groupIdsOf(user.id));
    },

    /** SOSes to alert again now; each is claimed by one node only. */
    claimResends(): Promise<Sos[]> {
      return store.claimResends(clock.now(), limits.sosResendMs, limits.sosSendsMax);
    },

    /** SOSes nobody acknowledged within `afterMs`, for the webhook; each is claimed by one node only. */
    claimWebhooks(afterMs: number): Promise<Sos[]> {
      return store.claimWebhooks(clock.now() - afterMs);
    },
  };
}
export type SosService = ReturnType<typeof createSosService>;
