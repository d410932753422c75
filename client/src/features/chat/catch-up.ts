// Fetching what was missed while away, page by page from the newest message
// known complete, bounded so that a conversation that never ends cannot keep
// a reconnect busy forever.
import type { Reply } from "../../net/request.ts";

/** Bound on pages per conversation after a reconnect (100 messages each). */
const CATCH_UP_PAGES = 50;

/**
 * Asks for the messages after `afterId` while the server says there are more.
 * Each page is handed to `onPage` as it arrives, so a catch-up cut short
 * (a failed request) keeps what it got and the next one resumes from there.
 */
export async function catchUp<T extends { id: string }>(
  afterId: string,
  fetchAfter: (afterId: string) => Promise<Reply<{ messages: T[]; hasMore: boolean }>>,
  onPage: (messages: T[], last: T) => void,
): Promise<void> {
  for (let page = 0; page < CATCH_UP_PAGES; page++) {
    const since = await fetchAfter(afterId);
    if (!since.ok) return;
    const last = since.data.messages.at(-1);
    if (!last) return;
    onPage(since.data.messages, last);
    if (!since.data.hasMore) return;
    afterId = last.id;
  }
}
