// Reading a conversation in the app: the reader keeps their place while
// history loads above and new messages arrive below, messages count as read
// only once seen, and screen readers hear new messages, not the history.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Group } from "@convoy/shared";
import type { Page } from "playwright-core";
import { uniqueName, type Member } from "./support/app.ts";
import {
  BOUND,
  joinGroupInUi,
  registerInUi,
  screenshot,
  useAppAndBrowser,
  waitUntilInPage,
} from "./support/browser.ts";
import { ask, type ChatSocket } from "./support/sockets.ts";

const HISTORY = 120;

/** Where a message sits relative to the top of the list's viewport (px), as a page script. */
const offsetOf = (page: Page, text: string) =>
  page.evaluate<number>(`(() => {
    const list = document.querySelector(".messages");
    const item = [...list.querySelectorAll("li.message")].find((li) => li.querySelector(".text").textContent === ${JSON.stringify(text)});
    return item.getBoundingClientRect().top - list.getBoundingClientRect().top;
  })()`);
const isAtBottom = (page: Page) =>
  page.evaluate<boolean>(
    `(() => { const l = document.querySelector(".messages"); return l.scrollHeight - l.scrollTop - l.clientHeight < 2; })()`,
  );

describe("[app] reading a long conversation", () => {
  // The friend posts the history quickly: no rate limit in the way.
  const env = useAppAndBrowser({ limits: { chatPerSecond: 1000, chatBurst: 1000 } });
  let friend: Member;
  let group: Group;
  let friendChat: ChatSocket;
  const say = (text: string, clientMsgId: string) =>
    ask(friendChat, "message:send", { groupId: group.id, text, clientMsgId });

  before(async () => {
    const seeded = await env.app.groupWith(1);
    group = seeded.group;
    friend = seeded.members[0]!;
    friendChat = await env.app.connect("/chat", friend.token);
    for (let i = 1; i <= HISTORY; i++) await say(`m${String(i).padStart(3, "0")}`, `h${i}`);
  });

  it("keeps the reader's place while earlier messages load above and new ones arrive below", async () => {
    const page = await env.newPage();
    await registerInUi(page, env.app.url, uniqueName("reader"));
    await joinGroupInUi(page, group.inviteCode);
    await page.locator(".messages .text", { hasText: "m120" }).waitFor(BOUND);
    await waitUntilInPage(
      page,
      `(() => { const l = document.querySelector(".messages"); return l.scrollHeight - l.scrollTop - l.clientHeight < 2; })()`,
    );
    // The newest history is on screen; the reader scrolls up to the oldest loaded message.
    await page.evaluate(`document.querySelector(".messages").scrollTop = 0`);
    const oldestLoaded = `m${String(HISTORY - 49).padStart(3, "0")}`;
    const before = await offsetOf(page, oldestLoaded);

    await page.getByRole("button", { name: "Load earlier messages" }).click();
    await page.locator(".messages .text", { hasText: "m030" }).waitFor({ state: "attached", ...BOUND });
    const after = await offsetOf(page, oldestLoaded);
    assert.ok(Math.abs(after - before) < 4, `the message being read moved from ${before} px to ${after} px`);

    // A new message while the reader is up in the history: it does not pull them down.
    await say("fresh news", "n1");
    const below = page.getByRole("button", { name: "New messages below" });
    await below.waitFor(BOUND);
    assert.ok(Math.abs((await offsetOf(page, oldestLoaded)) - before) < 4, "the reader was moved");
    assert.equal(await isAtBottom(page), false);
    // Screen readers hear the new message alone; the list itself is not a live region.
    assert.equal(
      await page.getByTestId("chat-announcement").textContent(),
      `${friend.user.username}: fresh news`,
    );
    assert.equal(await page.locator(".messages").getAttribute("aria-live"), null);
    await screenshot(page, "reading-new-below");

    await below.click();
    await below.waitFor({ state: "detached", ...BOUND });
    assert.equal(await isAtBottom(page), true);
  });

  it("after a reconnect, a catch-up longer than the screen starts at the divider and is not marked read", async () => {
    const page = await env.newPage();
    const name = uniqueName("tunnel");
    await registerInUi(page, env.app.url, name);
    await joinGroupInUi(page, group.inviteCode);
    await page.locator(".messages .text", { hasText: "fresh news" }).waitFor(BOUND);
    // Through a tunnel: no network, and the connection is gone.
    await page.context().setOffline(true);
    for (const socket of env.app.app.io.of("/chat").sockets.values())
      if (socket.data.user.username === name) socket.conn.close();
    await page.locator('.connection[data-status="offline"]').waitFor({ state: "attached", ...BOUND });
    for (let i = 1; i <= 80; i++) await say(`gap${String(i).padStart(2, "0")}`, `gap${i}`);
    await page.context().setOffline(false);
    await page.locator(".messages .text", { hasText: "gap80" }).waitFor({ state: "attached", ...BOUND });

    // The view stops where the missed messages start, and offers the way down.
    const divider = page.locator(".messages li.divider");
    await divider.waitFor(BOUND);
    const order = await page.locator(".messages > li").allTextContents();
    assert.match(order[order.indexOf("New messages") + 1] ?? "", /gap01/);
    const dividerTop = await page.evaluate<number>(
      `document.querySelector(".messages li.divider").getBoundingClientRect().top - document.querySelector(".messages").getBoundingClientRect().top`,
    );
    assert.ok(
      dividerTop >= -2 && dividerTop < 100,
      `the divider is ${dividerTop} px from the top of the list`,
    );
    await page.getByRole("button", { name: "New messages below" }).waitFor(BOUND);
    assert.equal(await isAtBottom(page), false);
    await screenshot(page, "reading-after-catch-up");
  });

  it("on a phone, messages that arrive while the map is shown stay new until the chat is opened", async () => {
    const context = await env.browser.newContext({
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
    });
    const page = await context.newPage();
    await registerInUi(page, env.app.url, uniqueName("phone_reader"));
    await joinGroupInUi(page, group.inviteCode);
    await say("before the map", "n4");
    await page.locator(".messages .text", { hasText: "before the map" }).waitFor(BOUND);
    const tabs = page.getByRole("navigation", { name: "Views" });
    await tabs.getByRole("button", { name: "Map" }).tap();
    await page.locator(".leaflet-container").waitFor(BOUND);

    await say("meet at the fuel stop", "n2");
    const chatTab = tabs.getByRole("button", { name: "Chat (1 new)" });
    await chatTab.waitFor(BOUND);
    await chatTab.tap();
    // What arrived behind the map is marked new, right where it starts.
    await page.locator(".messages li.divider").waitFor(BOUND);
    const order = await page.locator(".messages > li").allTextContents();
    const at = order.indexOf("New messages");
    assert.ok(at > 0, `no divider in ${JSON.stringify(order.slice(-3))}`);
    assert.match(order[at + 1] ?? "", /meet at the fuel stop/);
    assert.match(order[at - 1] ?? "", /before the map/);
    // Seen now: back on the map, the tab no longer counts it, only what comes next.
    await tabs.getByRole("button", { name: "Map" }).tap();
    await tabs.getByRole("button", { name: "Chat", exact: true }).waitFor(BOUND);
    await say("one more", "n3");
    await tabs.getByRole("button", { name: "Chat (1 new)" }).waitFor(BOUND);
  });
});
