// The whole ride, as two riders live it on their phones (#14 item 8): Alice
// starts a ride and Bob joins it; each sees the other's trail; Bob raises an
// SOS, Alice answers "I'm coming" and Bob sees her receipt; Alice ends the
// ride and both stop sharing; a direct message crosses; and the summary stays.
// Every screen is photographed (test-results/story-*.png), checked by axe
// (WCAG 2.1 A/AA), and checked for one-handed use: every control a thumb
// can hit (44 px tall at least), nothing wider than the screen.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { uniqueName, type Member } from "./support/app.ts";
import { axeViolations } from "./support/axe.ts";
import {
  BOUND,
  createGroupInUi,
  joinGroupInUi,
  PHONE,
  registerInUi,
  screenshot,
  SLOW,
  trailGrowsPast,
  trailPoints,
  useAppAndBrowser,
  watchCspViolations,
} from "./support/browser.ts";
import { ask, dataOf, type LocationSocket } from "./support/sockets.ts";

/** Controls on screen smaller than a fingertip, or the page wider than the screen: one line each. */
async function oneHandedProblems(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const problems = [];
    if (document.documentElement.scrollWidth > window.innerWidth)
      problems.push("the page is " + document.documentElement.scrollWidth + " px wide on a " + window.innerWidth + " px screen");
    const controls = document.querySelectorAll("button, select, input:not([type=radio]):not([type=checkbox]), textarea");
    for (const control of controls) {
      const box = control.getBoundingClientRect();
      if (!control.offsetParent || box.height === 0) continue;
      if (box.height < 44)
        problems.push((control.getAttribute("aria-label") || control.textContent.trim() || control.name || control.tagName) + " is " + Math.round(box.height) + " px tall");
    }
    return problems;
  })()`);
}

/** Photographs the screen as `story-<name>.png`, after axe and the one-hand checks pass on it. */
async function checkScreen(page: Page, name: string): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], `axe on ${name}`);
  assert.deepEqual(await oneHandedProblems(page), [], `one hand on ${name}`);
  await screenshot(page, `story-${name}`);
}

const tab = (page: Page, name: string | RegExp) =>
  page
    .getByRole("navigation", { name: "Views" })
    .getByRole("button", { name, exact: typeof name === "string" });

describe("[app] the whole ride on two phones", () => {
  const env = useAppAndBrowser();
  const names = { alice: uniqueName("alice"), bob: uniqueName("bob") };
  let alice: Page;
  let bob: Page;
  let groupId: string;
  /** A member who stayed home, on a socket: what the server says about the group. */
  let home: Member;
  let homeSocket: LocationSocket;
  const cspViolations: string[][] = [];

  before(async () => {
    [alice, bob] = [await env.newPage(PHONE), await env.newPage(PHONE)];
    cspViolations.push(watchCspViolations(alice), watchCspViolations(bob));
    await alice.goto(env.app.url);
    await alice.getByRole("button", { name: "Log in" }).waitFor(BOUND);
    await checkScreen(alice, "1-login");
    await registerInUi(alice, env.app.url, names.alice);
    const inviteCode = await createGroupInUi(alice, "Story ride");
    await registerInUi(bob, env.app.url, names.bob);
    await joinGroupInUi(bob, inviteCode);
    await checkScreen(bob, "2-group-chat");
    home = await env.app.member();
    groupId = (await env.app.http("POST", "/api/groups/join", { inviteCode }, home.token)).body.group.id;
    homeSocket = await env.app.connect("/location", home.token);
  });

  it("Alice starts a ride from the Map tab, with her own gap threshold; Bob sees it and joins", async () => {
    await tab(alice, "Map").tap();
    await alice.getByRole("button", { name: "Start a ride" }).tap();
    await alice.getByLabel("Ride name").fill("Pass loop");
    await alice.getByLabel("Alert when a rider is behind by").selectOption({ label: "1.0 km" });
    await alice.getByRole("radio", { name: "Simulate ride" }).check();
    await checkScreen(alice, "3-start-ride");
    await alice.getByRole("button", { name: "Start the ride" }).tap();
    await alice.getByRole("heading", { name: "Ride under way: Pass loop" }).waitFor(BOUND);
    const { rides } = dataOf(await ask(homeSocket, "ride:active", {}));
    assert.equal(rides[0]?.gapM, 1000, "the threshold chosen in the form");

    await tab(bob, "Map").tap();
    await bob.getByRole("heading", { name: "Ride under way: Pass loop" }).waitFor(BOUND);
    await checkScreen(bob, "4-ride-to-join");
    await bob.getByRole("radio", { name: "Simulate ride" }).check();
    await bob.getByRole("button", { name: "Join the ride (shares your position)" }).tap();
    await bob.getByRole("button", { name: "Leave the ride" }).waitFor(BOUND);
    await alice.locator(`.ride-riders li[data-rider="${names.bob}"]`).waitFor(BOUND);
  });

  it("each sees the other's trail drawn and growing", async () => {
    for (const [page, other] of [
      [alice, names.bob],
      [bob, names.alice],
    ] as const) {
      await page.locator(`path[data-rider="${other}"]`).waitFor({ state: "attached", ...BOUND });
      await trailGrowsPast(page, other, Math.max(await trailPoints(page, other), 3));
    }
    await checkScreen(alice, "5-riding-trails");
  });

  it("Bob raises an SOS; Alice answers I'm coming; Bob sees her receipt; he resolves it", async () => {
    await bob.getByRole("button", { name: "SOS", exact: true }).tap();
    const raise = bob.getByRole("dialog", { name: "Send an SOS?" });
    await raise.getByText("Your last position (just now) goes with it.").waitFor(BOUND);
    await raise.getByLabel("Note (optional)").fill("Front tyre flat at the second hairpin");
    await checkScreen(bob, "6-raise-sos");
    await raise.getByRole("button", { name: "Send SOS to Story ride" }).tap();
    await raise.waitFor({ state: "detached", ...BOUND });

    const alert = alice.getByRole("alertdialog", { name: `SOS from ${names.bob}` });
    await alert.waitFor(BOUND);
    assert.match((await alert.textContent()) ?? "", /“Front tyre flat at the second hairpin”/);
    assert.match((await alert.textContent()) ?? "", /Last position \d+\.\d{5}, \d+\.\d{5}/);
    const tapToSound = alert.getByRole("button", { name: "Tap to sound the alarm" });
    if (await tapToSound.isVisible()) await tapToSound.tap();
    await checkScreen(alice, "7-sos-alert");
    await alert.getByRole("button", { name: "I'm coming" }).tap();
    await alert.getByText("You are coming.").waitFor(BOUND);

    await bob
      .locator(`.sos-receipts li[data-member="${names.alice}"][data-state="acknowledged"]`)
      .waitFor(BOUND);
    await checkScreen(bob, "8-sos-receipts");
    await bob.getByRole("button", { name: "Resolve: I am safe" }).tap();
    await bob.locator(".sos-panel").waitFor({ state: "detached", ...BOUND });
    await alert.waitFor({ state: "detached", ...BOUND });
    await alice.locator(".sos-panel").waitFor({ state: "detached", ...BOUND });
  });

  it("Alice ends the ride: both pages say so and both stop sharing", async () => {
    await alice.getByRole("button", { name: "End the ride" }).tap();
    await alice.getByRole("button", { name: "End it for everyone" }).tap();
    for (const page of [alice, bob]) {
      await page.getByRole("status").filter({ hasText: "The ride “Pass loop” ended at" }).waitFor(SLOW);
      await page.getByTestId("ride-on").waitFor({ state: "detached", ...BOUND });
      const simulate = page.getByRole("button", { name: "Simulate ride" });
      await simulate.waitFor(BOUND);
      assert.equal(await simulate.getAttribute("aria-pressed"), "false");
    }
    assert.deepEqual(dataOf(await ask(homeSocket, "location:subscribe", { groupId })), {
      groupId,
      riders: [],
      ride: null,
    });
    await checkScreen(bob, "9-ride-ended");
  });

  it("a direct message crosses: Alice writes from Members, Bob sees it counted and reads it", async () => {
    await tab(alice, "Members").tap();
    await alice
      .getByTestId(`member-${names.bob}`)
      .getByRole("button", { name: `Message ${names.bob}` })
      .tap();
    const alicePane = alice.locator(".pane-messages");
    await alicePane.getByLabel(`Write to ${names.bob}`).fill("Tyre holding? Coffee at the top");
    await alicePane.getByLabel(`Write to ${names.bob}`).press("Enter");
    await alicePane.locator('.message[data-state="sent"]', { hasText: "Coffee at the top" }).waitFor(BOUND);
    await checkScreen(alice, "10-direct-sent");

    await tab(bob, "Messages (1 new)").tap();
    const bobPane = bob.locator(".pane-messages");
    await bobPane.getByTestId(`conversation-${names.alice}`).tap();
    await bobPane.locator(".messages .text", { hasText: "Coffee at the top" }).waitFor(BOUND);
    await tab(bob, "Messages").waitFor(BOUND);
    await checkScreen(bob, "11-direct-read");
  });

  it("the ride's summary stays: each rider's distance, and the trails", async () => {
    await tab(bob, "Map").tap();
    await bob.getByRole("button", { name: "Past rides" }).tap();
    await bob.getByRole("button", { name: "Show summary of Pass loop" }).tap();
    await bob.getByRole("heading", { name: "Summary: Pass loop" }).waitFor(BOUND);
    for (const rider of [names.alice, names.bob]) {
      const distance = (await bob.locator(`.ride-summary tr[data-rider="${rider}"] td`).textContent()) ?? "";
      assert.match(distance, /^\d+(\.\d)? (m|km)$/, rider);
      await bob.locator(`path[data-rider="${rider}"]`).waitFor({ state: "attached", ...BOUND });
    }
    await checkScreen(bob, "12-summary");
  });

  it("the Content Security Policy let all of it work", () => {
    assert.deepEqual(cspViolations.flat(), []);
  });
});
