// Two copies of one SOS, from events and answers that may arrive out of
// order: receipts only move forward and sentCount only grows, so the newer
// step of each member and the higher count win, whichever copy came last.
import { sosReceiptRank, type Sos, type SosReceipt } from "@convoy/shared";

export function mergeSos(known: Sos | undefined, incoming: Sos): Sos {
  if (!known) return incoming;
  const byUser = new Map<string, SosReceipt>();
  for (const receipt of [...known.receipts, ...incoming.receipts]) {
    const current = byUser.get(receipt.userId);
    if (!current || sosReceiptRank(receipt.state) > sosReceiptRank(current.state))
      byUser.set(receipt.userId, receipt);
  }
  return {
    ...incoming,
    sentCount: Math.max(known.sentCount, incoming.sentCount),
    resolvedAt: incoming.resolvedAt ?? known.resolvedAt,
    resolvedBy: incoming.resolvedBy ?? known.resolvedBy,
    receipts: [...byUser.values()].sort((a, b) => a.at - b.at),
  };
}

/** The step `userId` has reached on the server, as far as this copy knows. */
export function stepOf(sos: Sos, userId: string): SosReceipt | undefined {
  return sos.receipts.find((r) => r.userId === userId);
}
