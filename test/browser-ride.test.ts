// A ride in the browser app (#14 items 2, 3, 5 and 8): two riders in two
// browser contexts start and join a ride with simulated positions, see each
// other's trails grow, end it (both stop sharing, and a reconnect does not
// share again), and read its summary; a gap alert raised by riders on
// sockets shows as a banner with a regroup point, and clears. axe-core checks
// the ride panel, the alert and the summary.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { axeViolations } from "./support/axe.ts";
import { uniqueName, type Member } from "./support/app.ts";
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

/** A point `northM` metres north of a start in the Alps, with an increasing device time. */
let ts = Date.now();
const update = (groupId: string, northM: number) => ({
  groupId,
  lat: 46.5 + northM / 111_195,
  lng: 8.0,
  accuracy: null,
  heading: null,
  speed: null,
  ts: ++ts,
});

describe("[app] a ride in two browsers", () => {
  // Every position is kept (the gap scenario sends fast), and rides are checked often.
  const env = useAppAndBrowser({ limits: { locationPerSecond: 10_000, rideCheckMs: 100 } });
  const names = { alice: uniqueName("alice"), bob: uniqueName("bob") };
  let alice: Page;
  let bob: Page;
  let groupId: string;
  let inviteCode: string;
  const cspViolations: string[][] = [];
  /** Two more members on sockets: one watches the group, both ride in the gap scenario. */
  let cara: Member;
  let dan: Member;
  let caraSocket: LocationSocket;
  let danSocket: LocationSocket;

  before(async () => {
    [alice, bob] = [await env.newPage(), await env.newPage()];
    cspViolations.push(watchCspViolations(alice), watchCspViolations(bob));
    await registerInUi(alice, env.app.url, names.alice);
    inviteCode = await createGroupInUi(alice, "Ride group");
    await registerInUi(bob, env.app.url, names.bob);
    await joinGroupInUi(bob, inviteCode);
    [cara, dan] = [await env.app.member(), await env.app.member()];
    for (const m of [cara, dan]) {
      const joined = await env.app.http("POST", "/api/groups/join", { inviteCode }, m.token);
      groupId = joined.body.group.id;
    }
    [caraSocket, danSocket] = [
      await env.app.connect("/location", cara.token),
      await env.app.connect("/location", dan.token),
    ];
  });

  it("alice starts a ride (simulated); bob sees it under way, marked in the group bar, and joins it", async () => {
    await alice.getByRole("button", { name: "Start a ride" }).click();
    await alice.getByLabel("Ride name").fill("Sunday loop");
    await alice.getByRole("radio", { name: "Simulate ride" }).check();
    await alice.getByRole("button", { name: "Start the ride" }).click();
    await alice.getByRole("heading", { name: "Ride under way: Sunday loop" }).waitFor(BOUND);
    assert.match((await alice.locator(".ride-panel .note").textContent()) ?? "", /simulated ride/);

    await bob.getByRole("heading", { name: "Ride under way: Sunday loop" }).waitFor(BOUND);
    await bob.getByTestId("ride-on").waitFor(BOUND);
    assert.match(
      (await bob.getByRole("status").filter({ hasText: "started by" }).textContent()) ?? "",
      new RegExp(names.alice),
    );
    assert.deepEqual(await axeViolations(bob), [], "the ride panel before joining");
    await bob.getByRole("radio", { name: "Simulate ride" }).check();
    await bob.getByRole("button", { name: "Join the ride (shares your position)" }).click();
    await bob.getByRole("button", { name: "Leave the ride" }).waitFor(BOUND);
    await alice.locator(`.ride-riders li[data-rider="${names.bob}"]`).waitFor(BOUND);
    assert.equal(
      await alice.getByRole("button", { name: "End the ride" }).count(),
      1,
      "the starter may end it",
    );
    assert.equal(await bob.getByRole("button", { name: "End the ride" }).count(), 0, "bob may not");
    assert.deepEqual(await axeViolations(alice), [], "the ride panel while riding");
  });

  it("each sees the other's trail drawn, and growing", async () => {
    for (const [page, other] of [
      [alice, names.bob],
      [bob, names.alice],
    ] as const) {
      await page.locator(`path[data-rider="${other}"]`).waitFor({ state: "attached", ...BOUND });
      const first = await trailPoints(page, other);
      await trailGrowsPast(page, other, Math.max(first, 3));
      assert.equal(
        await page.locator(`path[data-rider="${other}"]`).getAttribute("role"),
        "img",
        "named for assistive tech",
      );
      await page.locator(".trail-legend li", { hasText: other }).waitFor(BOUND);
    }
    await screenshot(alice, "ride-alice-trails");
  });

  it("alice ends it while bob is offline: both pages show it ended, neither shares, and bob's reconnect does not share again", async () => {
    // What bob's page sends when it is back: location's own messages come before the rides' ride:active.
    const location = env.app.app.io.of("/location");
    const heard: string[] = [];
    let sawActive = () => {};
    const askedActive = new Promise<void>((resolve, reject) => {
      sawActive = resolve;
      setTimeout(() => reject(new Error("no ride:active within 20 s")), 20_000).unref();
    });
    askedActive.catch(() => {}); // awaited below; a failure before that point must not go unhandled
    const bobIsBob = (socket: { data: { user: { username: string } } }) =>
      socket.data.user.username === names.bob;
    const listenToBob = (socket: {
      data: { user: { username: string } };
      onAny(listener: (event: string, ...args: unknown[]) => void): void;
    }) => {
      if (!bobIsBob(socket)) return;
      socket.onAny((event, payload) => {
        heard.push(`${event} ${JSON.stringify(payload)}`);
        if (event === "ride:active") sawActive();
      });
    };

    await bob.context().setOffline(true);
    for (const socket of location.sockets.values()) if (bobIsBob(socket)) socket.conn.close();
    await bob.locator('.connection[data-status="offline"]').waitFor(BOUND);
    location.on("connection", listenToBob);

    await alice.getByRole("button", { name: "End the ride" }).click();
    await alice.getByRole("button", { name: "End it for everyone" }).click();
    // Bounded by the reconnect's backoff (up to 10 s) and the ack on a loaded machine, not by a render.
    await alice.getByRole("status").filter({ hasText: "The ride “Sunday loop” ended at" }).waitFor(SLOW);
    await alice.getByTestId("ride-on").waitFor({ state: "detached", ...BOUND });
    await alice.getByRole("button", { name: "Simulate ride" }).waitFor(BOUND); // the toggles are back

    await bob.context().setOffline(false);
    try {
      await askedActive;
    } finally {
      location.off("connection", listenToBob);
    }
    assert.deepEqual(
      heard.filter((line) => line.startsWith("location:share")),
      [],
      "no location:share: the ride that held bob's sharing is over",
    );
    await bob.getByRole("status").filter({ hasText: "The ride “Sunday loop” ended at" }).waitFor(SLOW);
    await bob.getByTestId("ride-on").waitFor({ state: "detached", ...BOUND });
    const toggle = bob.getByRole("button", { name: "Simulate ride" });
    await toggle.waitFor(BOUND);
    assert.equal(await toggle.getAttribute("aria-pressed"), "false", "bob's simulated ride stopped");
    assert.deepEqual(dataOf(await ask(caraSocket, "location:subscribe", { groupId })), {
      groupId,
      riders: [],
      ride: null,
    });
  });

  it("the past rides list the ride; its summary gives each rider's distance and draws the trails", async () => {
    await bob.getByRole("button", { name: "Past rides" }).click();
    await bob.getByRole("button", { name: "Show summary of Sunday loop" }).click();
    await bob.getByRole("heading", { name: "Summary: Sunday loop" }).waitFor(BOUND);
    for (const rider of [names.alice, names.bob]) {
      const distance = (await bob.locator(`.ride-summary tr[data-rider="${rider}"] td`).textContent()) ?? "";
      assert.match(distance, /^\d+(\.\d)? (m|km)$/, rider);
      assert.notEqual(distance, "0 m", `${rider} rode some way`);
      await bob.locator(`path[data-rider="${rider}"]`).waitFor({ state: "attached", ...BOUND });
    }
    assert.deepEqual(await axeViolations(bob), [], "the summary");
    await screenshot(bob, "ride-bob-summary");
    await bob.getByRole("button", { name: "Close the summary" }).click();
    await bob.locator(`path[data-rider="${names.alice}"]`).waitFor({ state: "detached", ...BOUND });
  });

  it("a rider far behind: the banner names them with a regroup point on the map, and clears when they catch up", async () => {
    // Dan rides ahead, Cara stays behind: their ride, on sockets, with a small gap threshold.
    const { ride } = dataOf(
      await ask(danSocket, "ride:start", {
        groupId,
        name: "Gaps",
        plannedEndAt: null,
        gapM: 500,
        stoppedMs: 300_000,
      }),
    );
    // A third rider follows on a phone, on the Chat tab.
    const phone = await env.newPage(PHONE);
    cspViolations.push(watchCspViolations(phone));
    await registerInUi(phone, env.app.url, uniqueName("eve"));
    await joinGroupInUi(phone, inviteCode);
    await alice.getByRole("heading", { name: "Ride under way: Gaps" }).waitFor(BOUND);
    dataOf(await ask(caraSocket, "ride:join", { rideId: ride.id }));
    dataOf(await ask(caraSocket, "location:update", update(groupId, 0)));
    dataOf(await ask(caraSocket, "location:update", update(groupId, 30)));
    for (let m = 0; m <= 800; m += 25) dataOf(await ask(danSocket, "location:update", update(groupId, m)));

    const banner = alice.getByRole("alert").filter({ hasText: cara.user.username });
    await banner.waitFor(BOUND);
    assert.match(
      (await banner.textContent()) ?? "",
      new RegExp(`^${cara.user.username} is \\d+ m behind — regroup point on the map$`),
    );
    await alice.locator(`.leaflet-marker-icon[data-regroup="${cara.user.username}"]`).waitFor(BOUND);
    // Alice watches this ride without riding in it: its trails are drawn for her too.
    await alice.locator(`path[data-rider="${dan.user.username}"]`).waitFor({ state: "attached", ...BOUND });
    assert.deepEqual(await axeViolations(alice), [], "with the alert showing");
    await screenshot(alice, "ride-alice-alert");
    // On the phone the banner shows over whichever tab is open, and whichever group: it names the ride's.
    const phoneBanner = phone.getByRole("alert").filter({ hasText: cara.user.username });
    await phoneBanner.waitFor(BOUND);
    assert.match((await phoneBanner.textContent()) ?? "", new RegExp(`^${cara.user.username} is`));
    await createGroupInUi(phone, "Eve's other group");
    assert.match(
      (await phoneBanner.textContent()) ?? "",
      new RegExp(`^In Ride group: ${cara.user.username} is`),
    );
    await phone.getByRole("combobox", { name: "Open group" }).selectOption({ label: "Ride group — ride on" });
    // The ride panel is on the Map tab.
    await phone.getByRole("navigation", { name: "Views" }).getByRole("button", { name: "Map" }).tap();
    await phone.getByRole("heading", { name: "Ride under way: Gaps" }).waitFor(BOUND);
    assert.deepEqual(await axeViolations(phone), [], "on a phone, Map tab, with the alert showing");
    await screenshot(phone, "ride-phone-alert");

    for (let m = 50; m <= 700; m += 25) dataOf(await ask(caraSocket, "location:update", update(groupId, m)));
    await alice.locator(".ride-alert").waitFor({ state: "detached", ...BOUND });
    await alice
      .locator(`.leaflet-marker-icon[data-regroup="${cara.user.username}"]`)
      .waitFor({ state: "detached", ...BOUND });
    dataOf(await ask(danSocket, "ride:end", { rideId: ride.id }));
    await alice.getByRole("status").filter({ hasText: "The ride “Gaps” ended at" }).waitFor(BOUND);
  });

  it("the Content Security Policy let all of it work", () => {
    assert.deepEqual(cspViolations.flat(), []);
  });
});
