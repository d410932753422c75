// Direct messages in the app, in Debian's Chromium: two riders of one group in
// two browser contexts write to each other from the member list; the unread
// count, reading, a reconnect's catch-up and the outbox; axe on the list and
// the conversation, wide and on a phone.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { uniqueName } from "./support/app.ts";
import { axeViolations } from "./support/axe.ts";
import {
  BOUND,
  createGroupInUi,
  joinGroupInUi,
  PHONE,
  registerInUi,
  screenshot,
  useAppAndBrowser,
} from "./support/browser.ts";

/** The Messages pane, where the list and the open conversation are. */
const pane = (page: Page) => page.locator(".pane-messages");
const viewTab = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Views" }).getByRole("button", { name, exact: true });
/** Texts of the stored messages in the open conversation, in order. */
const sentTexts = (page: Page) =>
  pane(page).locator('.messages li.message[data-state="sent"] .text').allTextContents();

describe("[app] direct messages between two riders", () => {
  const env = useAppAndBrowser();
  const names = { alice: uniqueName("alice"), bob: uniqueName("bob") };
  let alice: Page;
  let bob: Page;

  /** Writes in the open conversation with `to`. */
  const write = async (page: Page, to: string, text: string) => {
    await pane(page).getByLabel(`Write to ${to}`).fill(text);
    await pane(page).getByLabel(`Write to ${to}`).press("Enter");
  };
  /** Drops the page's /chat connection on the server, with the network already gone. */
  const offline = async (page: Page, username: string) => {
    await page.context().setOffline(true);
    for (const socket of env.app.app.io.of("/chat").sockets.values())
      if (socket.data.user.username === username) socket.conn.close();
    await page.locator('.connection[data-status="offline"]').waitFor({ state: "attached", ...BOUND });
  };
  const online = async (page: Page) => {
    await page.context().setOffline(false);
    await page.locator('.connection[data-status="online"]').waitFor({ state: "attached", timeout: 20_000 });
  };

  before(async () => {
    [alice, bob] = [await env.newPage(), await env.newPage()];
    await registerInUi(alice, env.app.url, names.alice);
    const code = await createGroupInUi(alice, "DM ride");
    await registerInUi(bob, env.app.url, names.bob);
    await joinGroupInUi(bob, code);
  });

  it("alice writes from the member list; bob sees the count, reads it (count gone) and replies", async () => {
    const bobInList = alice.getByTestId(`member-${names.bob}`);
    await bobInList.getByRole("button", { name: `Message ${names.bob}` }).click();
    // The conversation opens on the Messages tab, with the focus on its heading.
    await pane(alice).getByRole("heading", { name: names.bob }).waitFor(BOUND);
    assert.equal(await alice.evaluate("document.activeElement?.id"), "dm-title");
    assert.equal(await viewTab(alice, "Messages").getAttribute("aria-pressed"), "true");
    await write(alice, names.bob, "Fuel at the pass?");
    await pane(alice).locator('.message[data-state="sent"]', { hasText: "Fuel at the pass?" }).waitFor(BOUND);

    // Bob is on the group chat: the Messages tab counts what came.
    await viewTab(bob, "Messages (1 new)").waitFor(BOUND);
    await viewTab(bob, "Messages (1 new)").click();
    const entry = pane(bob).getByTestId(`conversation-${names.alice}`);
    await entry.waitFor(BOUND);
    assert.match((await entry.textContent()) ?? "", /1 new.*Fuel at the pass\?/);
    assert.deepEqual(await axeViolations(bob), [], "the conversation list");
    await screenshot(bob, "direct-list-unread");

    await entry.click();
    await pane(bob).locator(".messages .text", { hasText: "Fuel at the pass?" }).waitFor(BOUND);
    await viewTab(bob, "Messages").waitFor(BOUND);
    await write(bob, names.alice, "Yes, at ten");
    await pane(alice).locator(".messages .text", { hasText: "Yes, at ten" }).waitFor(BOUND);
    // Alice has it on screen: read at once.
    await viewTab(alice, "Messages").waitFor(BOUND);
    assert.deepEqual(await axeViolations(bob), [], "the conversation");
    await screenshot(bob, "direct-conversation");

    // Back to the list: the focus returns to the conversation left, now without a count.
    await pane(bob).getByRole("button", { name: "Back to all conversations" }).click();
    await entry.waitFor(BOUND);
    assert.equal(await entry.getAttribute("data-unread"), "0");
    assert.equal(await bob.evaluate("document.activeElement?.dataset.testid"), `conversation-${names.alice}`);
    await entry.click();
    await pane(bob).locator(".messages .text", { hasText: "Yes, at ten" }).waitFor(BOUND);
  });

  it("bob offline while alice sends two more: both arrive once, in order, when he is back", async () => {
    await offline(bob, names.bob);
    await write(alice, names.bob, "Leaving now");
    await write(alice, names.bob, "Wait at the bridge");
    await pane(alice)
      .locator(".message.outgoing")
      .waitFor({ state: "detached", ...BOUND });
    assert.deepEqual((await sentTexts(alice)).slice(-2), ["Leaving now", "Wait at the bridge"]);

    await online(bob);
    await pane(bob).locator(".messages .text", { hasText: "Wait at the bridge" }).waitFor(BOUND);
    assert.deepEqual(await sentTexts(bob), [
      "Fuel at the pass?",
      "Yes, at ten",
      "Leaving now",
      "Wait at the bridge",
    ]);
  });

  it("written offline, a message waits as Sending… and goes once the connection is back", async () => {
    await offline(alice, names.alice);
    await write(alice, names.bob, "From the tunnel");
    await pane(alice)
      .locator('.message.outgoing[data-state="pending"]', { hasText: "From the tunnel" })
      .waitFor(BOUND);
    await online(alice);
    await pane(alice)
      .locator(".message.outgoing")
      .waitFor({ state: "detached", ...BOUND });
    await pane(bob).locator(".messages .text", { hasText: "From the tunnel" }).waitFor(BOUND);
    assert.deepEqual((await sentTexts(bob)).slice(-1), ["From the tunnel"]);
    assert.deepEqual(await sentTexts(alice), await sentTexts(bob));
  });

  it("on a phone: Members → Message opens the conversation in the Messages tab; axe on it and on the list", async () => {
    const phone = await env.newPage(PHONE);
    const name = uniqueName("phone");
    await registerInUi(phone, env.app.url, name);
    const code = await createGroupInUi(phone, "Phone DM ride");
    await joinGroupInUi(alice, code);
    await viewTab(phone, "Members").tap();
    const aliceInList = phone.getByTestId(`member-${names.alice}`);
    await aliceInList.getByRole("button", { name: `Message ${names.alice}` }).tap();
    await pane(phone).getByRole("heading", { name: names.alice }).waitFor(BOUND);
    await write(phone, names.alice, "Hello from the handlebar");
    await pane(phone)
      .locator('.message[data-state="sent"]', { hasText: "Hello from the handlebar" })
      .waitFor(BOUND);
    assert.deepEqual(await axeViolations(phone), [], "the conversation on a phone");
    await screenshot(phone, "direct-phone-conversation");
    await pane(phone).getByRole("button", { name: "Back to all conversations" }).tap();
    await pane(phone).getByTestId(`conversation-${names.alice}`).waitFor(BOUND);
    assert.deepEqual(await axeViolations(phone), [], "the list on a phone");
    // Touch-sized buttons in the list and the member list, as everywhere.
    const heights = await phone.evaluate<number[]>(
      `[...document.querySelectorAll("button")].filter((b) => b.offsetParent).map((b) => b.getBoundingClientRect().height)`,
    );
    for (const height of heights) assert.ok(height >= 44, `a button is ${height} px tall`);
    await screenshot(phone, "direct-phone-list");

    // An answer while the map is shown: the Messages tab counts it until the conversation is seen.
    await viewTab(phone, "Map").tap();
    await alice
      .getByTestId(`member-${name}`)
      .getByRole("button", { name: `Message ${name}` })
      .click();
    await write(alice, name, "Hello back");
    await viewTab(phone, "Messages (1 new)").waitFor(BOUND);
    await screenshot(phone, "direct-phone-unread");
    await viewTab(phone, "Messages (1 new)").tap();
    await pane(phone).getByTestId(`conversation-${names.alice}`).tap();
    await pane(phone).locator(".messages .text", { hasText: "Hello back" }).waitFor(BOUND);
    await viewTab(phone, "Messages").waitFor(BOUND);
  });
});
