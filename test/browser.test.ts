// The browser app end to end, in Debian's Chromium: two users in two browser
// contexts against a real server.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startApp, uniqueName, type TestApp } from "./support/app.ts";
import {
  BOUND,
  clientDist,
  createGroupInUi,
  joinGroupInUi,
  launchBrowser,
  registerInUi,
  screenshot,
  useAppAndBrowser,
  watchCspViolations,
} from "./support/browser.ts";
import { startNodeProcess, type NodeProcess } from "./support/process.ts";
import { freePort, startRedis, type TestRedis } from "./support/redis-server.ts";
import { ask, openSocket } from "./support/sockets.ts";
import { waitForEvent } from "./support/wait.ts";

/** Texts of the sent messages in the chat, in order. */
const sentTexts = (page: Page) =>
  page.locator('.messages li.message[data-state="sent"] .text').allTextContents();

describe("[app] two riders in two browsers", () => {
  const env = useAppAndBrowser();
  let alice: Page;
  let bob: Page;
  const names = { alice: uniqueName("alice"), bob: uniqueName("bob") };
  const cspViolations: string[][] = [];

  before(async () => {
    [alice, bob] = [await env.newPage(), await env.newPage()];
    cspViolations.push(watchCspViolations(alice), watchCspViolations(bob));
  });

  it("register, create a group, join it by invite code", async () => {
    await registerInUi(alice, env.app.url, names.alice);
    const code = await createGroupInUi(alice, "Sunday ride");
    assert.ok(code.length >= 11);

    await registerInUi(bob, env.app.url, names.bob);
    await joinGroupInUi(bob, code);
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

  it("a short blip is not shown; a loss without network says offline, then recovers by itself", async () => {
    const dropAlice = () => {
      for (const socket of env.app.app.io.of("/chat").sockets.values())
        if (socket.data.user.username === names.alice) socket.conn.close();
    };
    const aliceBack = () =>
      waitForEvent<{ data: { user: { username: string } } }>(env.app.app.io.of("/chat"), "connection", {
        where: (socket) => socket.data.user.username === names.alice,
        ms: 10_000,
      });
    // Record every status the banner ever shows, from the page itself.
    await alice.evaluate(`
      window.shownStatuses = [];
      new MutationObserver(() => window.shownStatuses.push(document.querySelector(".connection").dataset.status))
        .observe(document.querySelector(".connection"), { attributes: true, attributeFilter: ["data-status"] });
    `);
    const back = aliceBack();
    dropAlice();
    await back;
    await alice.getByLabel("Message").fill("after the blip");
    await alice.getByLabel("Message").press("Enter");
    await bob.locator(".messages .text", { hasText: "after the blip" }).waitFor(BOUND);
    assert.deepEqual(await alice.evaluate("window.shownStatuses"), []);

    await alice.context().setOffline(true);
    dropAlice();
    await alice.locator('.connection[data-status="offline"]').getByText("You are offline").waitFor(BOUND);
    await screenshot(alice, "alice-offline");
    await alice.context().setOffline(false);
    await alice.locator('.connection[data-status="online"]').waitFor({ state: "attached", timeout: 20_000 });
  });

  it("a simulated ride moves bob's marker on alice's map", async () => {
    await bob.getByRole("button", { name: "Simulate ride" }).click();
    const marker = alice.locator(`.leaflet-marker-icon[data-rider="${names.bob}"]`);
    await marker.waitFor(BOUND);
    const first = await marker.getAttribute("style");
    await alice
      .locator(`.leaflet-marker-icon[data-rider="${names.bob}"]:not([style=${JSON.stringify(first)}])`)
      .waitFor(BOUND);
    // The heading turns the arrow, set through the CSSOM (the policy allows no style attributes).
    assert.match((await marker.locator(".rider-arrow").getAttribute("style")) ?? "", /rotate\(/);
    await screenshot(alice, "alice-map");
    await screenshot(bob, "bob-map");
  });

  it("the Content Security Policy lets the app work: no violation so far, and the WebSockets are up", () => {
    assert.deepEqual(cspViolations.flat(), []);
    for (const socket of env.app.app.io.of("/chat").sockets.values())
      assert.equal(socket.conn.transport.name, "websocket");
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

describe("[app] the server restarts with the pages open", () => {
  let redis: TestRedis;
  let node: NodeProcess;
  let browser: Browser;
  let env: Record<string, string>;
  before(async () => {
    redis = await startRedis({ persist: true });
    env = {
      PORT: String(await freePort()),
      REDIS_URL: redis.url,
      JWT_SECRET: randomBytes(32).toString("hex"),
      CLIENT_DIR: clientDist,
    };
    node = await startNodeProcess(env);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await node?.stop("SIGKILL");
    await redis?.stop();
  });

  it("no message is lost or shown twice: sent before, during the outage (outbox) and while the pages were away (catch-up)", async () => {
    const [alice, bob] = (await Promise.all(
      [0, 1].map(async () => (await browser.newContext()).newPage()),
    )) as [Page, Page];
    const names = { alice: uniqueName("alice"), bob: uniqueName("bob") };
    await registerInUi(alice, node.url, names.alice);
    const code = await createGroupInUi(alice, "Restart ride");
    await registerInUi(bob, node.url, names.bob);
    await joinGroupInUi(bob, code);

    const send = async (page: Page, text: string) => {
      await page.getByLabel("Message").fill(text);
      await page.getByLabel("Message").press("Enter");
    };
    await send(alice, "before 1");
    await bob.locator(".messages .text", { hasText: "before 1" }).waitFor(BOUND);
    await send(bob, "before 2");
    await alice.locator(".messages .text", { hasText: "before 2" }).waitFor(BOUND);

    // The server goes away; alice keeps typing and sending: her messages wait in the outbox.
    const exitCode = await node.stop("SIGTERM");
    assert.equal(
      exitCode,
      0,
      `the node drains and exits 0; its last log lines: ${node.logs.slice(-5).join("\n")}`,
    );
    await alice.locator('.connection[data-status="reconnecting"]').waitFor(BOUND);
    await send(alice, "during 1");
    await send(alice, "during 2");
    const pending = alice.locator('.message.outgoing[data-state="pending"]');
    await pending.nth(1).waitFor(BOUND);
    assert.equal(await pending.count(), 2);
    await screenshot(alice, "restart-alice-offline");

    // Back on the same port; someone posts before the pages have reconnected.
    node = await startNodeProcess(env);
    // Bob on another device: his token and the open group, from the page's storage.
    const storage = (key: string) => bob.evaluate<string>(`localStorage.getItem(${JSON.stringify(key)})`);
    const stored = JSON.parse(await storage("convoy.session")) as { token: string; user: { id: string } };
    const groupId = JSON.parse(await storage(`convoy.${stored.user.id}.group`)) as string;
    const other = openSocket(node.url, "/chat", {
      auth: { token: stored.token },
      transports: ["websocket"],
      forceNew: true,
    });
    try {
      const sent = await ask(
        other,
        "message:send",
        { groupId, text: "while away", clientMsgId: "from-another-device" },
        5000,
      );
      assert.ok(sent.ok);
    } finally {
      other.close();
    }

    // Send order is the server's: "while away" may be stored before alice's outbox goes out, or after.
    const shown: string[][] = [];
    for (const page of [alice, bob]) {
      await page.locator('.connection[data-status="online"]').waitFor({ state: "attached", timeout: 30_000 });
      await page.locator(".messages .text", { hasText: "while away" }).waitFor({ timeout: 30_000 });
      await page.locator(".messages .text", { hasText: "during 2" }).waitFor({ timeout: 30_000 });
      await page.locator(".message.outgoing").waitFor({ state: "detached", ...BOUND });
      shown.push(await sentTexts(page));
    }
    const [onAlice, onBob] = shown as [string[], string[]];
    assert.deepEqual(onBob, onAlice, "both pages show the same messages in the same order");
    assert.deepEqual([...onAlice].sort(), ["before 1", "before 2", "during 1", "during 2", "while away"]);
    assert.deepEqual(onAlice.slice(0, 2), ["before 1", "before 2"]);
    assert.ok(onAlice.indexOf("during 1") < onAlice.indexOf("during 2"), "the outbox keeps typing order");
    const expected = onAlice;
    // And after a reload, from the server's history alone.
    await bob.reload();
    // The history may come in more than one piece: wait for every message, then check the order.
    for (const text of expected) await bob.locator(".messages .text", { hasText: text }).waitFor(BOUND);
    assert.deepEqual(await sentTexts(bob), expected);
    await screenshot(bob, "restart-bob-after");
  });
});

describe("[app] an expired session", () => {
  // Tokens live 9–10 s (expiry is in whole seconds), so the app renews them about 2.5 s ahead; the
  // server looks at sockets' tokens every 250 ms and warns 2 s ahead. A 6 s token left a renewal
  // made 5 s after the last one under a second of margin, and a busy CI machine missed it.
  const env = useAppAndBrowser({ limits: { tokenTtlMs: 10_000, tokenCheckMs: 250, tokenWarnAheadMs: 2000 } });

  it("renews in place: the same connection outlives its first tokens and keeps its rooms", async () => {
    const page = await env.newPage();
    let websockets = 0;
    page.on("websocket", () => websockets++);
    await registerInUi(page, env.app.url, uniqueName("long"));
    await createGroupInUi(page, "Long ride");
    const opened = websockets;
    // Two renewals: well past the first token's expiry, when the server would have closed the socket.
    for (let i = 0; i < 2; i++) {
      const renewed = await page.waitForResponse("**/api/auth/refresh", { timeout: 15_000 });
      assert.equal(renewed.status(), 200);
    }
    await page.getByLabel("Message").fill("still on the first connection");
    await page.getByLabel("Message").press("Enter");
    await page
      .locator('.messages li.message[data-state="sent"] .text', { hasText: "still on the first" })
      .waitFor(BOUND);
    assert.equal(websockets, opened, "no new connection was needed");
  });

  it("asks for the password again over the app, and what was typed is still there to send", async () => {
    const page = await env.newPage();
    const name = uniqueName("rider");
    await registerInUi(page, env.app.url, name);
    await createGroupInUi(page, "Night ride");
    await page.getByLabel("Message").fill("typed before the session ran out");

    // The server refuses to renew (as it would an expired token): the login comes up over the app.
    await page.route("**/api/auth/refresh", (route) =>
      route.fulfill({
        status: 401,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "TOKEN_EXPIRED", message: "token expired" } }),
      }),
    );
    const dialog = page.getByRole("dialog");
    // The app's own renewal comes about 7.5 s after the login.
    await dialog.getByText("Your session expired").waitFor({ timeout: 20_000 });
    await screenshot(page, "expired-session");
    await page.unroute("**/api/auth/refresh");
    await dialog.getByLabel("Password").fill("correct horse battery");
    await dialog.getByRole("button", { name: "Log in" }).click();
    await dialog.waitFor({ state: "detached", ...BOUND });

    assert.equal(await page.getByLabel("Message").inputValue(), "typed before the session ran out");
    await page.getByLabel("Message").press("Enter");
    await page
      .locator('.messages li.message[data-state="sent"] .text', { hasText: "typed before" })
      .waitFor(BOUND);
  });

  it("reopened with an expired token: the login comes first, then the groups load", async () => {
    const page = await env.newPage();
    const name = uniqueName("back");
    await registerInUi(page, env.app.url, name);
    await createGroupInUi(page, "Coming back");
    // The rider comes back after the token ran out. Changed as the page loads, before the
    // app runs: a renewal the old page made meanwhile cannot overwrite it.
    await page.addInitScript(`{
      const saved = JSON.parse(localStorage.getItem("convoy.session"));
      localStorage.setItem("convoy.session", JSON.stringify({ ...saved, expiresAt: Date.now() - 1000 }));
    }`);
    await page.reload();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Your session expired").waitFor(BOUND);
    await dialog.getByLabel("Password").fill("correct horse battery");
    await dialog.getByRole("button", { name: "Log in" }).click();
    await page
      .getByRole("combobox", { name: "Open group" })
      .filter({ hasText: "Coming back" })
      .waitFor(BOUND);
    await page.getByLabel("Message").fill("back again");
    await page.getByLabel("Message").press("Enter");
    await page
      .locator('.messages li.message[data-state="sent"] .text', { hasText: "back again" })
      .waitFor(BOUND);
  });
});

describe("[app] on a phone, with the keyboard", () => {
  const env = useAppAndBrowser();

  it("registers, creates a group and sends a message with the keyboard alone", async () => {
    const page = await env.newPage();
    await page.goto(env.app.url);
    // Tab order: username, password, submit, then the "create an account" switch.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Create account" }).waitFor(BOUND);
    await page.getByLabel("Username").focus();
    await page.keyboard.type(uniqueName("keys"));
    await page.keyboard.press("Tab");
    await page.keyboard.type("correct horse battery");
    await page.keyboard.press("Enter");
    const groupName = page.getByLabel("Group name");
    await groupName.waitFor(BOUND);
    await groupName.focus();
    await page.keyboard.type("Keyboard ride");
    await page.keyboard.press("Enter");
    await page.getByTestId("invite-code").waitFor(BOUND);
    await page.getByLabel("Message").focus();
    await page.keyboard.type("typed, not clicked");
    await page.keyboard.press("Enter");
    await page
      .locator('.messages li.message[data-state="sent"] .text', { hasText: "typed, not clicked" })
      .waitFor(BOUND);
  });

  it("on a narrow screen, chat, map and members are tabs with touch-sized buttons", async () => {
    const context = await env.browser.newContext({
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
    });
    const page = await context.newPage();
    await registerInUi(page, env.app.url, uniqueName("phone"));
    await createGroupInUi(page, "Phone ride");
    const tabs = page.getByRole("navigation", { name: "Views" });
    await tabs.waitFor(BOUND);
    // One pane at a time.
    assert.ok(await page.getByLabel("Message").isVisible());
    assert.equal(await page.locator(".leaflet-container").isVisible(), false);
    await tabs.getByRole("button", { name: "Map" }).tap();
    await page.locator(".leaflet-container").waitFor(BOUND);
    assert.equal(await page.getByLabel("Message").isVisible(), false);
    await screenshot(page, "phone-map");
    await tabs.getByRole("button", { name: "Members" }).tap();
    await page.getByRole("heading", { name: "Members" }).waitFor(BOUND);
    await screenshot(page, "phone-members");
    // Every visible button is at least 44 px tall (a gloved thumb on a handlebar mount).
    const heights = await page.evaluate<number[]>(
      `[...document.querySelectorAll("button")].filter((b) => b.offsetParent).map((b) => b.getBoundingClientRect().height)`,
    );
    assert.ok(heights.length > 3);
    for (const height of heights) assert.ok(height >= 44, `a button is ${height} px tall`);
  });
});

describe("[app] the ride map", () => {
  const env = useAppAndBrowser();

  it("shares the browser's GPS position when asked, and greys out a rider whose last position is old", async () => {
    const context = await env.browser.newContext({
      permissions: ["geolocation"],
      geolocation: { latitude: 46.6, longitude: 8.6, accuracy: 8 },
    });
    const page = await context.newPage();
    const name = uniqueName("gps");
    await registerInUi(page, env.app.url, name);
    const code = await createGroupInUi(page, "GPS ride");

    // Nothing is shared before the rider says so.
    await page.getByRole("button", { name: "Share my location" }).waitFor(BOUND);
    assert.equal(await page.locator(".leaflet-marker-icon").count(), 0);
    await page.getByRole("button", { name: "Share my location" }).click();
    const mine = page.locator(`.leaflet-marker-icon[data-rider="${name}"]`);
    await mine.waitFor(BOUND);
    await page.getByRole("button", { name: "Stop sharing" }).waitFor(BOUND);

    // Another member whose phone last reported two minutes ago (out of coverage).
    const other = await env.app.member();
    await env.app.http("POST", "/api/groups/join", { inviteCode: code }, other.token);
    const location = await env.app.connect("/location", other.token);
    const groupId = (await env.app.http("GET", "/api/groups", undefined, other.token)).body.groups[0]!.id;
    await ask(location, "location:share", { groupId, sharing: true });
    await ask(location, "location:update", {
      groupId,
      lat: 46.61,
      lng: 8.61,
      accuracy: null,
      heading: 90,
      speed: null,
      ts: Date.now() - 120_000,
    });
    const stale = page.locator(
      `.leaflet-marker-icon[data-rider="${other.user.username}"][data-stale="true"]`,
    );
    await stale.waitFor(BOUND);
    assert.match((await stale.textContent()) ?? "", /2 min ago/);
    assert.equal(await mine.getAttribute("data-stale"), "false");
    await screenshot(page, "map-gps-and-stale");

    await page.getByRole("button", { name: "Stop sharing" }).click();
    await mine.waitFor({ state: "detached", ...BOUND });
  });
});

describe("[app] map tiles from the tile server in MAP_TILE_URL", () => {
  // A tile server on an origin of its own that answers every tile with one grey pixel,
  // allowing CORS (the app asks for tiles with CORS, so its service worker may keep them).
  const pixel = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==",
    "base64",
  );
  const referers: Array<string | undefined> = [];
  const tiles = createServer((req, res) => {
    referers.push(req.headers.referer);
    res.writeHead(200, { "content-type": "image/png", "access-control-allow-origin": "*" }).end(pixel);
  });
  let app: TestApp;
  let browser: Browser;
  before(async () => {
    await new Promise<void>((resolve) => tiles.listen(0, "127.0.0.1", resolve));
    const { port } = tiles.address() as AddressInfo;
    const mapTileUrl = `http://127.0.0.1:${port}/{z}/{x}/{y}.png`;
    app = await startApp({
      config: { clientDir: clientDist, client: { mapTileUrl, mapAttribution: "Test tiles" } },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
    tiles.close();
  });

  it("the map shows the tiles, the tile server learns the app's origin only, and the policy reports nothing", async () => {
    const page = await (await browser.newContext()).newPage();
    const violations = watchCspViolations(page);
    await registerInUi(page, app.url, uniqueName("tiles"));
    await createGroupInUi(page, "Tiled ride");
    await page.locator("img.leaflet-tile-loaded").first().waitFor(BOUND);
    assert.ok(referers.length > 0);
    // strict-origin-when-cross-origin: the origin (OpenStreetMap's policy wants a Referer), never the path.
    for (const referer of referers) assert.equal(referer, `${app.url}/`);
    assert.deepEqual(violations, []);
  });
});

describe("[app] several groups", () => {
  const env = useAppAndBrowser();

  it("counts new messages of another group, and marks where they start when the rider switches to it", async () => {
    const page = await env.newPage();
    await registerInUi(page, env.app.url, uniqueName("multi"));
    const touringCode = await createGroupInUi(page, "Touring");
    await page.getByLabel("Message").fill("read already");
    await page.getByLabel("Message").press("Enter");
    await page.locator('.message[data-state="sent"]', { hasText: "read already" }).waitFor(BOUND);
    await createGroupInUi(page, "Track day");

    // A friend writes in Touring while the rider looks at Track day.
    const friend = await env.app.member();
    const joined = await env.app.http("POST", "/api/groups/join", { inviteCode: touringCode }, friend.token);
    const chat = await env.app.connect("/chat", friend.token);
    await ask(chat, "message:send", {
      groupId: joined.body.group.id,
      text: "anyone riding Sunday?",
      clientMsgId: "f1",
    });
    const select = page.getByRole("combobox", { name: "Open group" });
    await page.locator("option", { hasText: "Touring (1 new)" }).waitFor({ state: "attached", ...BOUND });

    await select.selectOption({ label: "Touring (1 new)" });
    const divider = page.locator(".messages li.divider");
    await divider.waitFor(BOUND);
    assert.equal(await divider.textContent(), "New messages");
    // The divider sits between what was read and what is new.
    const order = await page.locator(".messages > li").allTextContents();
    const at = order.findIndex((text) => text === "New messages");
    assert.match(order[at - 1] ?? "", /read already/);
    assert.match(order[at + 1] ?? "", /anyone riding Sunday\?/);
    await page.locator("option", { hasText: /^Touring$/ }).waitFor({ state: "attached", ...BOUND });
  });
});

describe("[app] a message the server refuses", () => {
  // One message per second, bursts of two: the third quick message is refused with RATE_LIMITED.
  const env = useAppAndBrowser({ limits: { chatPerSecond: 1, chatBurst: 2 } });

  it("shows it as not sent; Retry sends it once, with the same clientMsgId", async () => {
    const page = await env.newPage();
    await registerInUi(page, env.app.url, uniqueName("fast"));
    await createGroupInUi(page, "Fast ride");
    for (const text of ["one", "two", "three"]) {
      await page.getByLabel("Message").fill(text);
      await page.getByLabel("Message").press("Enter");
    }
    const failed = page.locator('.message.outgoing[data-state="failed"]');
    await failed.waitFor(BOUND);
    assert.match((await failed.textContent()) ?? "", /Not sent/);
    await screenshot(page, "message-not-sent");

    // A clock wait, on purpose: no event says the server's bucket (one message per second) has refilled.
    await page.waitForTimeout(1100);
    await failed.getByRole("button", { name: "Retry" }).click();
    await page.locator(".message.outgoing").waitFor({ state: "detached", ...BOUND });
    assert.deepEqual(await sentTexts(page), ["one", "two", "three"]);
  });
});
