// The app on a phone in a dead zone (#15 items 2 and 4), in Debian's Chromium:
// the service worker keeps the app shell and the map tiles a rider has seen,
// so the app opens and shows roads with the network cut; Chromium finds it
// installable; a new deploy is offered (never forced) and taken on the
// user's word. The app is served from a copy of client/dist, so a test can
// deploy a new build under it; the tile server is a local one that counts
// what it serves.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { startApp, uniqueName, type TestApp } from "./support/app.ts";
import { axeViolations } from "./support/axe.ts";
import {
  BOUND,
  clientDist,
  createGroupInUi,
  launchPersistentBrowser,
  PHONE,
  registerInUi,
  screenshot,
  SLOW,
  waitUntilInPage,
  watchCspViolations,
} from "./support/browser.ts";

const TILE = readFileSync(join(clientDist, "icons", "icon-192.png"));

/** A tile server on loopback that allows CORS and a week of caching, as OpenStreetMap's does. */
async function startTileServer(): Promise<{ url: string; served: string[]; close(): Promise<void> }> {
  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    served.push(req.url ?? "");
    res.writeHead(200, {
      "content-type": "image/png",
      "access-control-allow-origin": "*",
      "cache-control": "public, max-age=604800",
    });
    res.end(TILE);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Resolves once a service worker controls the page (the first one claims it at once). */
const controlled = (page: Page) => waitUntilInPage(page, "navigator.serviceWorker.controller !== null");

/** Map tiles drawn on the page from images that really loaded. */
const tilesShown = (page: Page) =>
  page.evaluate<number>(
    `[...document.querySelectorAll("img.leaflet-tile-loaded")].filter((img) => img.naturalWidth > 0).length`,
  );

/**
 * Resolves once every tile on screen (at least 4) is in the service worker's tile cache. Tiles are
 * kept in the background, after they are shown. On timeout, says what was on screen and kept.
 */
async function waitForTilesOnScreenKept(page: Page, ms = 20_000): Promise<void> {
  const look = `caches.open("convoy-tiles").then(async (cache) => {
    const shown = [...document.querySelectorAll("img.leaflet-tile-loaded")].map((img) => img.src);
    const kept = (await cache.keys()).map((request) => request.url);
    return { shown, unkept: shown.filter((url) => !kept.includes(url)), kept };
  })`;
  const deadline = Date.now() + ms;
  for (;;) {
    const seen = await page.evaluate<{ shown: string[]; unkept: string[]; kept: string[] }>(look);
    if (seen.shown.length >= 4 && seen.unkept.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`tiles on screen not kept within ${ms} ms: ${JSON.stringify(seen)}`);
    await page.waitForTimeout(100);
  }
}

/** Resolves once the outbox in IndexedDB holds an entry with this text. */
async function waitForOutboxEntry(page: Page, text: string): Promise<void> {
  const deadline = Date.now() + BOUND.timeout;
  const holds = `new Promise((resolve) => {
    const request = indexedDB.open("convoy-outbox");
    request.onerror = () => resolve(false);
    request.onsuccess = () => {
      const db = request.result;
      const read = db.transaction("entries").objectStore("entries").getAll();
      read.onerror = () => (db.close(), resolve(false));
      read.onsuccess = () => (db.close(), resolve(read.result.some((row) => row.value?.text === ${JSON.stringify(text)})));
    };
  })`;
  while (!(await page.evaluate<boolean>(holds))) {
    if (Date.now() > deadline) throw new Error(`the outbox never held ${JSON.stringify(text)}`);
    await page.waitForTimeout(50);
  }
}

describe("[app] the app in a dead zone: service worker, tiles, updates", () => {
  const deployDir = mkdtempSync(join(tmpdir(), "convoy-deploy-"));
  cpSync(clientDist, deployDir, { recursive: true });
  let tiles: Awaited<ReturnType<typeof startTileServer>>;
  let app: TestApp;
  const profileDir = mkdtempSync(join(tmpdir(), "convoy-profile-"));
  let context: BrowserContext;
  let inviteCode: string;
  let page: Page;
  const csp: string[][] = [];

  before(async () => {
    tiles = await startTileServer();
    app = await startApp({
      config: {
        clientDir: deployDir,
        client: { mapTileUrl: `${tiles.url}/{z}/{x}/{y}.png`, mapAttribution: "© test tiles" },
      },
    });
    // A profile on disk: Chromium does not offer to install from an incognito context.
    context = await launchPersistentBrowser(profileDir, PHONE);
    page = context.pages()[0] ?? (await context.newPage());
    csp.push(watchCspViolations(page));
  });
  after(async () => {
    await context?.close();
    await app?.close();
    await tiles?.close();
    rmSync(deployDir, { recursive: true, force: true });
    rmSync(profileDir, { recursive: true, force: true });
  });

  it("a service worker takes the page on the first visit, and Chromium finds the app installable", async () => {
    await registerInUi(page, app.url, uniqueName("rider"));
    inviteCode = await createGroupInUi(page, "Valley ride");
    await controlled(page);
    const cdp = await page.context().newCDPSession(page);
    const manifest = (await cdp.send("Page.getAppManifest")) as { errors: unknown[]; url: string };
    assert.deepEqual(manifest.errors, []);
    assert.match(manifest.url, /\/manifest\.webmanifest$/);
    const { installabilityErrors } = (await cdp.send("Page.getInstallabilityErrors")) as {
      installabilityErrors: unknown[];
    };
    assert.deepEqual(installabilityErrors, [], "installable (Android Chrome's checks)");
  });

  it("with the network cut, a reload opens the app: the groups, messages and members it knew, their age, and the map's roads", async () => {
    // A rider's next visit: under the service worker from the start. On the first visit a tile
    // fetched before the worker took the page (the map's first) is never kept.
    await page.reload();
    await page.locator('.connection[data-status="online"]').waitFor({ state: "attached", timeout: 30_000 });
    await page.getByLabel("Message").fill("Before the valley");
    await page.getByLabel("Message").press("Enter");
    await page
      .locator('.messages .message[data-state="sent"]', { hasText: "Before the valley" })
      .waitFor(BOUND);
    await page.getByRole("navigation", { name: "Views" }).getByRole("button", { name: "Map" }).tap();
    await waitUntilInPage(page, `document.querySelectorAll("img.leaflet-tile-loaded").length >= 4`);
    const servedOnline = tiles.served.length;
    assert.ok(servedOnline >= 4, `${servedOnline} tiles served`);
    await waitForTilesOnScreenKept(page);
    await waitUntilInPage(
      page,
      `Object.keys(localStorage).some((k) => k.endsWith(".lastKnown") && localStorage[k].includes("Before the valley"))`,
    );

    await page.context().setOffline(true);
    for (const socket of app.app.io.of("/chat").sockets.values()) socket.conn.close();
    await page.reload();
    // Playwright's offline mode does not reach a reloaded page's navigator.onLine (a phone in a
    // dead zone often says online too): the app says what it shows, whatever the status.
    const banner = page.locator(".connection").filter({ hasText: "Offline: showing what Convoy knew at" });
    await banner.waitFor(BOUND);
    assert.match((await banner.textContent()) ?? "", /knew at \d{1,2}:\d{2}.*\((just now|\d+ s ago)\)/);
    await page
      .getByRole("combobox", { name: "Open group" })
      .filter({ hasText: "Valley ride" })
      .waitFor(BOUND);
    await page.locator(".messages .text", { hasText: "Before the valley" }).waitFor(BOUND);
    await page.getByRole("navigation", { name: "Views" }).getByRole("button", { name: "Members" }).tap();
    await page.locator('[data-testid^="member-"]').first().waitFor(BOUND);
    assert.deepEqual(await axeViolations(page), [], "offline, members");
    await screenshot(page, "offline-members");
    await page.getByRole("navigation", { name: "Views" }).getByRole("button", { name: "Map" }).tap();
    await waitUntilInPage(page, `document.querySelectorAll("img.leaflet-tile-loaded").length >= 4`);
    assert.ok((await tilesShown(page)) >= 4);
    assert.equal(tiles.served.length, servedOnline, "no tile asked of the server: all came from the cache");
    await screenshot(page, "offline-map");

    await page.context().setOffline(false);
    await page.locator('.connection[data-status="online"]').waitFor({ state: "attached", timeout: 30_000 });
    await banner.waitFor({ state: "detached", ...BOUND });
    assert.equal(tiles.served.length, servedOnline, "fresh for a week: not asked again once online");
  });

  it("a message written offline outlives the browser: closed and opened again, it is sent once", async () => {
    const watcher = await app.member();
    const joined = await app.http("POST", "/api/groups/join", { inviteCode }, watcher.token);
    const stored = async () =>
      (
        await app.http(
          "GET",
          `/api/groups/${joined.body.group.id}/messages?limit=100`,
          undefined,
          watcher.token,
        )
      ).body.messages.map((m) => m.text);
    await page.getByRole("navigation", { name: "Views" }).getByRole("button", { name: "Chat" }).tap();
    await page.context().setOffline(true);
    for (const socket of app.app.io.of("/chat").sockets.values()) socket.conn.close();
    await page.getByLabel("Message").fill("Written before the battery died");
    await page.getByLabel("Message").press("Enter");
    await page.locator('.connection[data-waiting="1"]').waitFor({ state: "attached", ...BOUND });
    // The count shows at once; the write to IndexedDB follows. A browser closed
    // before a transaction commits keeps nothing of it, so wait for the commit.
    await waitForOutboxEntry(page, "Written before the battery died");
    await context.close();

    context = await launchPersistentBrowser(profileDir, PHONE);
    page = context.pages()[0] ?? (await context.newPage());
    csp.push(watchCspViolations(page));
    await page.goto(app.url);
    await page
      .locator('.message[data-state="sent"]', { hasText: "Written before the battery died" })
      .waitFor(SLOW);
    await page.locator('.connection[data-waiting="0"]').waitFor({ state: "attached", ...BOUND });
    assert.deepEqual(
      (await stored()).filter((text) => text === "Written before the battery died"),
      ["Written before the battery died"],
      "stored exactly once",
    );
  });

  it("a new deploy is offered, not forced; Reload to update switches to it", async () => {
    // A new build: its service worker differs by a byte.
    writeFileSync(
      join(deployDir, "sw.js"),
      `${readFileSync(join(deployDir, "sw.js"), "utf8")}\n// next build\n`,
    );
    await page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())");
    const banner = page.getByRole("status").filter({ hasText: "A new version of Convoy is ready." });
    await banner.waitFor(BOUND);
    assert.deepEqual(await axeViolations(page), [], "with the update banner");
    await screenshot(page, "offline-update-ready");
    const reloaded = page.waitForEvent("load", BOUND);
    await banner.getByRole("button", { name: "Reload to update" }).tap();
    await reloaded;
    await page.getByRole("button", { name: "Log out", exact: true }).waitFor(BOUND);
    assert.equal(await page.getByText("A new version of Convoy is ready.").count(), 0);
    assert.equal(
      await page.evaluate<boolean>(
        "navigator.serviceWorker.getRegistration().then((r) => !r.waiting && !!r.active)",
      ),
      true,
      "the new worker is the active one",
    );
  });

  it("the Content Security Policy let all of it work", () => {
    assert.deepEqual(csp.flat(), []);
  });
});
