// The screen stays on while sharing (#15 item 3) and the map says when no
// tile server is configured (#15 item 4), in Chromium. navigator.wakeLock is
// replaced by a recorder (headless Chromium may refuse a real lock), and the
// page's visibility by one the test sets, as a phone does when its screen
// turns off or another app comes to the front. axe-core checks the map pane
// with the switch, wide and on a phone.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { BrowserContextOptions, Page } from "playwright-core";
import { axeViolations } from "./support/axe.ts";
import { uniqueName } from "./support/app.ts";
import {
  BOUND,
  createGroupInUi,
  PHONE,
  registerInUi,
  screenshot,
  useAppAndBrowser,
  waitUntilInPage,
  watchCspViolations,
} from "./support/browser.ts";

/**
 * A Screen Wake Lock API that grants every request and counts it
 * (window.wakeLog), and a visibility the test sets with window.setHidden:
 * hiding releases the held locks, as browsers do.
 */
const WAKE_LOCK_RECORDER = `{
  const log = { requests: 0, releases: 0, held: 0 };
  window.wakeLog = log;
  const held = new Set();
  class Sentinel extends EventTarget {
    type = "screen";
    released = false;
    async release() {
      if (this.released) return;
      this.released = true;
      held.delete(this);
      log.releases += 1;
      log.held = held.size;
      this.dispatchEvent(new Event("release"));
    }
  }
  const wakeLock = {
    async request(type) {
      if (type !== "screen") throw new TypeError("unknown type");
      if (document.hidden) throw new DOMException("The requesting page is not visible", "NotAllowedError");
      log.requests += 1;
      const sentinel = new Sentinel();
      held.add(sentinel);
      log.held = held.size;
      return sentinel;
    },
  };
  Object.defineProperty(Navigator.prototype, "wakeLock", { configurable: true, get: () => wakeLock });
  let hidden = false;
  Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => hidden });
  Object.defineProperty(Document.prototype, "visibilityState", {
    configurable: true,
    get: () => (hidden ? "hidden" : "visible"),
  });
  window.setHidden = (value) => {
    hidden = value;
    document.dispatchEvent(new Event("visibilitychange"));
    if (hidden) for (const sentinel of [...held]) void sentinel.release();
  };
}`;

/** A browser without the API (Firefox before 126, or a page over plain http). */
const NO_WAKE_LOCK = `delete Navigator.prototype.wakeLock;`;

interface WakeLog {
  requests: number;
  releases: number;
  held: number;
}

describe("[app] the screen stays on while sharing; no map tiles said plainly", () => {
  const env = useAppAndBrowser();
  let page: Page;
  const cspViolations: string[][] = [];

  async function pageWith(script: string, options: BrowserContextOptions = {}): Promise<Page> {
    const context = await env.browser.newContext(options);
    await context.addInitScript(script);
    const made = await context.newPage();
    cspViolations.push(watchCspViolations(made));
    await registerInUi(made, env.app.url, uniqueName("rider"));
    await createGroupInUi(made, "Wake ride");
    return made;
  }
  const wakeLog = (on: Page) => on.evaluate<WakeLog>("window.wakeLog");
  const heldIs = (on: Page, count: number) => waitUntilInPage(on, `window.wakeLog.held === ${count}`);
  const wakeSwitch = (on: Page) => on.getByRole("switch", { name: "Keep the screen on while sharing" });
  const wakeState = (on: Page) => on.locator("#screen-wake-state");

  before(async () => {
    page = await pageWith(WAKE_LOCK_RECORDER);
  });

  it("the switch is on by default, says what the browser cannot do, and the map says it has no tiles", async () => {
    assert.equal(await wakeSwitch(page).getAttribute("aria-checked"), "true");
    const box = await wakeSwitch(page).boundingBox();
    assert.ok(box && box.height >= 44 && box.width >= 44, "a 44 px touch target");
    await page.getByText("Convoy shares your position only while it is open on screen").waitFor(BOUND);
    assert.equal((await wakeLog(page)).requests, 0, "nothing to keep on before sharing");
    const notice = page.getByTestId("no-tiles");
    await notice.waitFor(BOUND);
    assert.match((await notice.textContent()) ?? "", /no tile server configured.*MAP_TILE_URL/);
    assert.deepEqual(await axeViolations(page), [], "the map pane with the switch and the notice");
  });

  it("sharing asks for a screen lock; stopping releases it", async () => {
    await page.getByRole("button", { name: "Simulate ride" }).click();
    await heldIs(page, 1);
    await wakeState(page).filter({ hasText: "Screen stays on while you share" }).waitFor(BOUND);
    await page.getByRole("button", { name: "Stop simulated ride" }).click();
    await heldIs(page, 0);
    assert.deepEqual(await wakeLog(page), { requests: 1, releases: 1, held: 0 });
  });

  it("the switch off releases the lock and stays off after a reload; on again asks again", async () => {
    await page.getByRole("button", { name: "Simulate ride" }).click();
    await heldIs(page, 1);
    await wakeSwitch(page).click();
    await heldIs(page, 0);
    assert.equal(await wakeSwitch(page).getAttribute("aria-checked"), "false");

    await page.reload();
    await page.getByRole("button", { name: "Log out", exact: true }).waitFor(BOUND);
    assert.equal(await wakeSwitch(page).getAttribute("aria-checked"), "false", "remembered");
    await page.getByRole("button", { name: "Simulate ride" }).click();
    await page.getByRole("button", { name: "Stop simulated ride" }).waitFor(BOUND);
    assert.equal((await wakeLog(page)).requests, 0, "off: never asked after the reload");

    await wakeSwitch(page).click();
    await heldIs(page, 1);
    assert.equal(await wakeSwitch(page).getAttribute("aria-checked"), "true");
  });

  it("the browser releases the lock when the page is hidden; shown again, it is asked again", async () => {
    const before = await wakeLog(page);
    await page.evaluate("window.setHidden(true)");
    await heldIs(page, 0);
    await page.evaluate("window.setHidden(false)");
    await heldIs(page, 1);
    assert.equal((await wakeLog(page)).requests, before.requests + 1);
    await wakeState(page).filter({ hasText: "Screen stays on while you share" }).waitFor(BOUND);
    await screenshot(page, "wake-wide");
    await page.getByRole("button", { name: "Stop simulated ride" }).click();
    await heldIs(page, 0);
  });

  it("on a phone: the switch and the no-tiles notice on the Map tab, axe-clean", async () => {
    const phone = await pageWith(WAKE_LOCK_RECORDER, PHONE);
    await phone.getByRole("navigation", { name: "Views" }).getByRole("button", { name: "Map" }).tap();
    await phone.getByTestId("no-tiles").waitFor(BOUND);
    await phone.getByRole("button", { name: "Simulate ride" }).tap();
    await heldIs(phone, 1);
    await wakeSwitch(phone).scrollIntoViewIfNeeded();
    const box = await wakeSwitch(phone).boundingBox();
    assert.ok(box && box.height >= 44, "a 44 px touch target");
    assert.deepEqual(await axeViolations(phone), [], "the Map tab on a phone, sharing");
    await screenshot(phone, "wake-phone");
  });

  it("where the browser has no Screen Wake Lock API, the app says so and offers no switch", async () => {
    const bare = await pageWith(NO_WAKE_LOCK);
    await bare
      .getByText("This browser cannot keep the screen on: set the phone's screen timeout while you ride.")
      .waitFor(BOUND);
    assert.equal(await wakeSwitch(bare).count(), 0);
    await bare.getByRole("button", { name: "Simulate ride" }).click();
    await bare.getByRole("button", { name: "Stop simulated ride" }).waitFor(BOUND);
    assert.deepEqual(await axeViolations(bare), []);
  });

  it("breaks no Content Security Policy rule", () => {
    assert.deepEqual(cspViolations.flat(), []);
  });
});
