// The durable outbox in Debian's Chromium (#15): a group message written
// offline waits in IndexedDB through a reload, is counted in the connection
// banner, and is stored exactly once when the connection is back.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { uniqueName } from "./support/app.ts";
import { axeViolations } from "./support/axe.ts";
import {
  BOUND,
  createGroupInUi,
  registerInUi,
  screenshot,
  useAppAndBrowser,
  waitUntilInPage,
} from "./support/browser.ts";

describe("[app] durable outbox", () => {
  const env = useAppAndBrowser();
  const name = uniqueName("outbox");
  let page: Page;
  let inviteCode: string;

  const banner = (p: Page) => p.locator(".connection");
  /** Texts of group `groupId`'s stored messages, read on the server by another member. */
  const storedTexts = async (groupId: string, token: string) => {
    const res = await env.app.http("GET", `/api/groups/${groupId}/messages?limit=100`, undefined, token);
    assert.equal(res.status, 200);
    return res.body.messages.map((m) => m.text);
  };

  before(async () => {
    page = await env.newPage();
    await registerInUi(page, env.app.url, name);
    inviteCode = await createGroupInUi(page, "Outbox ride");
    // The service worker that lets the page load without a network has taken it.
    await waitUntilInPage(page, "navigator.serviceWorker.controller !== null");
  });

  it("a message written offline survives a reload, shows as waiting, and is stored once when back online", async () => {
    const watcher = await env.app.member();
    const joined = await env.app.http("POST", "/api/groups/join", { inviteCode }, watcher.token);
    const groupId = joined.body.group.id;
    const text = "Typed offline, sent after a reload";

    // Offline: the network gone, and the server drops this user's /chat socket.
    await page.context().setOffline(true);
    for (const socket of env.app.app.io.of("/chat").sockets.values())
      if (socket.data.user.username === name) socket.conn.close();
    await page.locator('.connection[data-status="offline"]').waitFor({ state: "attached", ...BOUND });

    await page.getByLabel("Message").fill(text);
    await page.getByLabel("Message").press("Enter");
    await page.locator('.message.outgoing[data-state="pending"]', { hasText: text }).waitFor(BOUND);
    await page.locator('.connection[data-waiting="1"]').waitFor({ state: "attached", ...BOUND });
    assert.match((await banner(page).textContent()) ?? "", /offline.*1 waiting to send/i);
    assert.equal(await banner(page).getAttribute("role"), "status");

    // Reload with the network still cut (the service worker serves the app): the message comes back from IndexedDB.
    await page.reload();
    await page.locator('.message.outgoing[data-state="pending"]', { hasText: text }).waitFor(BOUND);
    await page.locator('.connection[data-waiting="1"]').waitFor({ state: "attached", ...BOUND });
    assert.notEqual(await banner(page).getAttribute("data-status"), "online");
    assert.match((await banner(page).textContent()) ?? "", /1 waiting to send/);
    assert.deepEqual(await axeViolations(page), [], "the banner with its count");
    await screenshot(page, "outbox-waiting-after-reload");
    assert.deepEqual(await storedTexts(groupId, watcher.token), [], "nothing reached the server yet");

    // Back online: sent once, shown once, and the count clears.
    await page.context().setOffline(false);
    await page.locator('.connection[data-status="online"]').waitFor({ state: "attached", timeout: 20_000 });
    await page.locator('.message[data-state="sent"]', { hasText: text }).waitFor(BOUND);
    await page.locator('.connection[data-waiting="0"]').waitFor({ state: "attached", ...BOUND });
    assert.equal(await page.locator(".message.outgoing").count(), 0);
    assert.equal(await page.locator(".messages .text", { hasText: text }).count(), 1, "shown once");
    assert.doesNotMatch((await banner(page).textContent()) ?? "", /waiting/);
    assert.deepEqual(await storedTexts(groupId, watcher.token), [text], "stored exactly once");

    // Another reload: nothing is left in the outbox to send again.
    await page.reload();
    await page.locator('.connection[data-status="online"]').waitFor({ state: "attached", timeout: 20_000 });
    await page.locator(".messages .text", { hasText: text }).waitFor(BOUND);
    assert.equal(await page.locator(".message.outgoing").count(), 0);
    assert.deepEqual(await storedTexts(groupId, watcher.token), [text]);
  });
});
