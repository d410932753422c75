// The browser app end to end, in Debian's Chromium: two users in two browser
// contexts against a real server.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startApp, uniqueName, type TestApp } from "./support/app.ts";
import { clientDist, launchBrowser, registerInUi, screenshot } from "./support/browser.ts";

const BOUND = { timeout: 10_000 };

/** Texts of the sent messages in the chat, in order. */
const sentTexts = (page: Page) =>
  page.locator('.messages li.message[data-state="sent"] .text').allTextContents();

describe("[app] two riders in two browsers", () => {
  let app: TestApp;
  let browser: Browser;
  let contexts: BrowserContext[];
  let alice: Page;
  let bob: Page;
  const names = { alice: uniqueName("alice"), bob: uniqueName("bob") };

  before(async () => {
    app = await startApp({ config: { clientDir: clientDist } });
    browser = await launchBrowser();
    contexts = await Promise.all([browser.newContext(), browser.newContext()]);
    [alice, bob] = (await Promise.all(contexts.map((context) => context.newPage()))) as [Page, Page];
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it("register, create a group, join it by invite code", async () => {
    await registerInUi(alice, app.url, names.alice);
    await alice.getByLabel("Group name").fill("Sunday ride");
    await alice.getByRole("button", { name: "Create group" }).click();
    const code = await alice.getByTestId("invite-code").textContent(BOUND);
    assert.ok(code && code.length >= 11);

    await registerInUi(bob, app.url, names.bob);
    await bob.getByRole("button", { name: "Join", exact: true }).click();
    await bob.getByLabel("Invite code").fill(code);
    await bob.getByRole("button", { name: "Join group" }).click();
    await bob.getByRole("combobox", { name: "Open group" }).filter({ hasText: "Sunday ride" }).waitFor(BOUND);
  });

  it("chat both ways; each message appears once, with a typing indicator on the way", async () => {
    await alice.locator(`[data-testid="member-${names.bob}"][data-status="online"]`).waitFor(BOUND);
    await bob.getByLabel("Message").fill("On my way");
    await alice.getByText(`${names.bob} is typing…`).waitFor(BOUND);
    await bob.getByLabel("Message").press("Enter");
    await alice.locator(".messages .text", { hasText: "On my way" }).waitFor(BOUND);

    await alice.getByLabel("Message").fill("See you at the pass");
    await alice.getByRole("button", { name: "Send" }).click();
    await bob.locator(".messages .text", { hasText: "See you at the pass" }).waitFor(BOUND);

    for (const page of [alice, bob]) {
      await page.locator(".message.outgoing").waitFor({ state: "detached", ...BOUND });
      assert.deepEqual(await sentTexts(page), ["On my way", "See you at the pass"]);
    }
  });

  it("a simulated ride moves bob's marker on alice's map", async () => {
    await bob.getByRole("button", { name: "Simulate ride" }).click();
    const marker = alice.locator(`.leaflet-marker-icon[data-rider="${names.bob}"]`);
    await marker.waitFor(BOUND);
    const first = await marker.getAttribute("style");
    // A string, not a function: the page has the DOM, this file does not (and tsx would rename helpers).
    const selector = JSON.stringify(`.leaflet-marker-icon[data-rider="${names.bob}"]`);
    await alice.waitForFunction(
      `document.querySelector(${selector})?.getAttribute("style") !== ${JSON.stringify(first)}`,
      undefined,
      BOUND,
    );
    await screenshot(alice, "alice-map");
    await screenshot(bob, "bob-map");
  });

  it("bob's hidden tab shows him away; closing his page shows him offline", async () => {
    // Headless pages are never hidden: play the browser's part.
    await bob.evaluate(`
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
      document.dispatchEvent(new Event("visibilitychange"));
    `);
    const bobOnAlice = alice.getByTestId(`member-${names.bob}`);
    await alice.locator(`[data-testid="member-${names.bob}"][data-status="away"]`).waitFor(BOUND);
    await bob.close();
    await alice.locator(`[data-testid="member-${names.bob}"][data-status="offline"]`).waitFor(BOUND);
    assert.match((await bobOnAlice.textContent()) ?? "", /last seen just now/);
    await screenshot(alice, "alice-bob-offline");
  });
});
