// The app against time: a device whose clock is wrong, and a connection that
// stays down until the app gives up. Playwright's clock stands in for the
// phone's clock and fast-forwards the reconnection back-off.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { uniqueName } from "./support/app.ts";
import { BOUND, createGroupInUi, registerInUi, screenshot, useAppAndBrowser } from "./support/browser.ts";

const MINUTE = 60_000;

describe("[app] a device clock that is wrong", () => {
  // Tokens live 8 s: the app should renew them about 2 s before they run out, on the server's clock.
  const env = useAppAndBrowser({ limits: { tokenTtlMs: 8000 } });

  it("20 minutes fast: the session is not taken for expired", async () => {
    const context = await env.browser.newContext();
    await context.clock.install({ time: Date.now() + 20 * MINUTE });
    const page = await context.newPage();
    await registerInUi(page, env.app.url, uniqueName("fast_clock"));
    await createGroupInUi(page, "Clock ride");
    await page.getByLabel("Message").fill("my phone is 20 minutes fast");
    await page.getByLabel("Message").press("Enter");
    await page
      .locator('.messages li.message[data-state="sent"] .text', { hasText: "20 minutes fast" })
      .waitFor(BOUND);
    assert.equal(await page.getByRole("dialog").count(), 0, "the app asked for the password");
  });

  it("an hour slow: the token is still renewed before the server's expiry", async () => {
    const context = await env.browser.newContext();
    await context.clock.install({ time: Date.now() - 60 * MINUTE });
    const page = await context.newPage();
    const renewed = page.waitForResponse("**/api/auth/refresh", { timeout: 12_000 });
    await registerInUi(page, env.app.url, uniqueName("slow_clock"));
    assert.equal((await renewed).status(), 200);
    await createGroupInUi(page, "Slow clock ride");
    assert.equal(await page.getByRole("dialog").count(), 0, "the app asked for the password");
  });
});

describe("[app] a connection that stays down", () => {
  const env = useAppAndBrowser();

  it("gives up with 'Cannot reach Convoy'; Try again reconnects and sends what was typed meanwhile", async () => {
    const context = await env.browser.newContext();
    await context.clock.install();
    const page = await context.newPage();
    const name = uniqueName("unreachable");
    await registerInUi(page, env.app.url, name);
    await createGroupInUi(page, "Lost signal");
    await page.locator('.connection[data-status="online"]').waitFor({ state: "attached", ...BOUND });

    // The server stays up but cannot be reached: every Socket.IO request fails.
    await page.route("**/socket.io/**", (route) => route.abort("connectionrefused"));
    for (const socket of env.app.app.io.of("/chat").sockets.values())
      if (socket.data.user.username === name) socket.conn.close();
    // Each reconnection attempt fails at once; the back-off between attempts is skipped.
    const failedBanner = page.locator('.connection[data-status="failed"]');
    for (let attempt = 0; attempt < 40 && (await failedBanner.count()) === 0; attempt++) {
      const refused = page.waitForEvent("requestfailed", BOUND);
      refused.catch(() => {}); // not awaited when the banner comes first
      await context.clock.fastForward(10_000);
      // After the last attempt no request follows: the banner is what comes.
      await Promise.race([refused, failedBanner.waitFor({ state: "attached", ...BOUND })]);
    }
    await failedBanner.getByText("Cannot reach Convoy.").waitFor(BOUND);
    await screenshot(page, "connection-failed");

    // Typing is never blocked: the message waits in the outbox.
    await page.getByLabel("Message").fill("sent once it is back");
    await page.getByLabel("Message").press("Enter");
    await page.locator('.message.outgoing[data-state="pending"]').waitFor(BOUND);

    await page.unroute("**/socket.io/**");
    await failedBanner.getByRole("button", { name: "Try again" }).click();
    await page.locator('.connection[data-status="online"]').waitFor({ state: "attached", ...BOUND });
    await page
      .locator('.messages li.message[data-state="sent"] .text', { hasText: "sent once it is back" })
      .waitFor(BOUND);
  });
});
