// Usable by anyone: axe-core checks each screen of the app against WCAG 2.1 A
// and AA (contrast, names, roles), wide and on a phone; and the invite code
// can be copied even where the browser refuses the clipboard.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { uniqueName } from "./support/app.ts";
import { axeViolations as violations } from "./support/axe.ts";
import {
  BOUND,
  createGroupInUi,
  joinGroupInUi,
  PHONE,
  registerInUi,
  useAppAndBrowser,
} from "./support/browser.ts";
import { ask } from "./support/sockets.ts";

describe("[app] accessibility, measured by axe-core", () => {
  const env = useAppAndBrowser({ limits: { chatPerSecond: 1, chatBurst: 1 } });
  let inviteCode: string;
  let friendSays: (text: string) => Promise<unknown>;

  before(async () => {
    // A group with a conversation in it: someone else's message, a divider, the rider's own.
    const friend = await env.app.member();
    const created = await env.app.http("POST", "/api/groups", { name: "Accessible ride" }, friend.token);
    inviteCode = created.body.group.inviteCode;
    const chat = await env.app.connect("/chat", friend.token);
    let sent = 0;
    friendSays = (text) =>
      ask(chat, "message:send", { groupId: created.body.group.id, text, clientMsgId: `a${++sent}` });
    await friendSays("Leaving at nine from the square");
  });

  it("the login and registration forms", async () => {
    const page = await env.newPage();
    await page.goto(env.app.url);
    await page.getByRole("button", { name: "Log in" }).waitFor(BOUND);
    assert.deepEqual(await violations(page), []);
    // With an error showing.
    await page.getByLabel("Username").fill(uniqueName("nobody"));
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("alert").waitFor(BOUND);
    assert.deepEqual(await violations(page), []);
    await page.getByRole("button", { name: "New here? Create an account" }).click();
    await page.getByRole("button", { name: "Create account" }).waitFor(BOUND);
    assert.deepEqual(await violations(page), []);
  });

  it("the app with a conversation, a message not sent, members and the map", async () => {
    const page = await env.newPage();
    await registerInUi(page, env.app.url, uniqueName("axe"));
    await joinGroupInUi(page, inviteCode);
    await page.locator(".messages .text", { hasText: "Leaving at nine" }).waitFor(BOUND);
    // The rider looks away; what arrives meanwhile comes back under a "New messages" divider.
    const tabHidden = (hidden: boolean) =>
      page.evaluate(`
        Object.defineProperty(document, "hidden", { configurable: true, get: () => ${hidden} });
        document.dispatchEvent(new Event("visibilitychange"));
      `);
    await tabHidden(true);
    await friendSays("Road closed at the bridge");
    await page.locator(".messages .text", { hasText: "Road closed" }).waitFor(BOUND);
    await tabHidden(false);
    await page.locator(".messages li.divider").waitFor(BOUND);
    // Two quick messages against a limit of one: the second is refused and shows "Not sent".
    for (const text of ["On my way", "Bringing coffee"]) {
      await page.getByLabel("Message").fill(text);
      await page.getByLabel("Message").press("Enter");
    }
    await page.locator('.message.outgoing[data-state="failed"]').waitFor(BOUND);
    await page.getByRole("button", { name: "Join", exact: true }).click();
    assert.deepEqual(await violations(page), []);
  });

  it("on a phone: each tab", async () => {
    const page = await env.newPage(PHONE);
    await registerInUi(page, env.app.url, uniqueName("axe_phone"));
    await createGroupInUi(page, "Phone ride");
    const tabs = page.getByRole("navigation", { name: "Views" });
    assert.deepEqual(await violations(page), []);
    for (const name of ["Map", "Members"]) {
      await tabs.getByRole("button", { name }).tap();
      await page.locator(`.app[data-tab="${name.toLowerCase()}"]`).waitFor(BOUND);
      assert.deepEqual(await violations(page), [], `on the ${name} tab`);
    }
  });
});

describe("[app] copying the invite code", () => {
  const env = useAppAndBrowser();

  it("puts it on the clipboard where the browser allows", async () => {
    const page = await env.newPage({ permissions: ["clipboard-read", "clipboard-write"] });
    await registerInUi(page, env.app.url, uniqueName("copier"));
    const code = await createGroupInUi(page, "Copy ride");
    await page.getByRole("button", { name: "Copy invite code" }).click();
    await page.getByRole("status").filter({ hasText: "Copied" }).waitFor(BOUND);
    assert.equal(await page.evaluate<string>("navigator.clipboard.readText()"), code);
  });

  it("selects it for the user to copy where the clipboard is refused (plain http)", async () => {
    const context = await env.browser.newContext();
    // What a page served over plain http sees: no Clipboard API, and the legacy command refused.
    await context.addInitScript(`
      Object.defineProperty(navigator, "clipboard", { value: undefined });
      document.execCommand = () => false;
    `);
    const page = await context.newPage();
    await registerInUi(page, env.app.url, uniqueName("no_clipboard"));
    const code = await createGroupInUi(page, "Plain http ride");
    await page.getByRole("button", { name: "Copy invite code" }).click();
    await page.getByRole("status").filter({ hasText: "Code selected" }).waitFor(BOUND);
    assert.equal(await page.evaluate<string>("window.getSelection().toString()"), code);
  });
});
