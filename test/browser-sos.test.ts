// SOS in the browser, end to end: two riders in two browser contexts. Alice
// raises an SOS with a note; Bob's page puts the alert in front of him and
// vibrates; his receipts show live in Alice's panel; "I'm coming", a reload
// that brings the open alert back, and Alice resolving it on both pages.
// axe-core checks the raise dialog, the alert dialog and the receipts panel.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { axeViolations } from "./support/axe.ts";
import { uniqueName } from "./support/app.ts";
import {
  BOUND,
  createGroupInUi,
  joinGroupInUi,
  registerInUi,
  screenshot,
  useAppAndBrowser,
  waitUntilInPage,
  watchCspViolations,
} from "./support/browser.ts";
import { ask, dataOf } from "./support/sockets.ts";
import { waitFor } from "./support/wait.ts";

/** Counts the page's navigator.vibrate calls (each pattern, in order) in window.vibrations. */
const COUNT_VIBRATIONS = `
  window.vibrations = [];
  Object.defineProperty(Navigator.prototype, "vibrate", {
    configurable: true,
    value: (pattern) => (window.vibrations.push(pattern), true),
  });
`;

/**
 * Web Audio as a browser that blocks autoplay has it (headless Chromium here
 * plays without a gesture, and its navigator.userActivation is not reliable
 * under automation): suspended until the document has had a trusted tap or
 * key press; counts the beeps started in window.beeps.
 */
const AUTOPLAY_BLOCKED = `
  window.beeps = 0;
  let activated = false;
  for (const type of ["pointerdown", "keydown", "click"])
    window.addEventListener(type, (event) => (activated ||= event.isTrusted), true);
  window.AudioContext = class {
    state = "suspended";
    currentTime = 0;
    destination = {};
    resume() {
      if (!activated) return new Promise(() => {});
      this.state = "running";
      return Promise.resolve();
    }
    createGain() {
      return { gain: { value: 1 }, connect() {} };
    }
    createOscillator() {
      return { frequency: { value: 0 }, connect() {}, start: () => window.beeps++, stop() {} };
    }
  };
`;

/** Records each step Alice's panel shows for `member`, in order, from the page itself. */
const watchSteps = (member: string) => `
  window.steps = [];
  const record = () => {
    const state = document.querySelector('.sos-receipts li[data-member=${JSON.stringify(member)}]')?.dataset.state;
    if (state && window.steps.at(-1) !== state) window.steps.push(state);
  };
  new MutationObserver(record).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"],
  });
`;

describe("[app] SOS between two riders", () => {
  const env = useAppAndBrowser();
  let alice: Page;
  let bob: Page;
  const names = { alice: uniqueName("alice"), bob: uniqueName("bob") };
  const cspViolations: string[][] = [];

  before(async () => {
    alice = await env.newPage();
    const bobContext = await env.browser.newContext();
    await bobContext.addInitScript(COUNT_VIBRATIONS);
    bob = await bobContext.newPage();
    cspViolations.push(watchCspViolations(alice), watchCspViolations(bob));
    await registerInUi(alice, env.app.url, names.alice);
    const code = await createGroupInUi(alice, "Pass ride");
    await registerInUi(bob, env.app.url, names.bob);
    await joinGroupInUi(bob, code);
    await alice.locator(`[data-testid="member-${names.bob}"][data-status="online"]`).waitFor(BOUND);
  });

  it("Alice raises an SOS with a note and her last position, after a confirm step", async () => {
    // A simulated ride gives her a position to send.
    await alice.getByRole("button", { name: "Simulate ride" }).click();
    await alice.locator(`.leaflet-marker-icon[data-rider="${names.alice}"]`).waitFor(BOUND);
    await alice.evaluate(watchSteps(names.bob));

    await alice.getByRole("button", { name: "SOS", exact: true }).click();
    const dialog = alice.getByRole("dialog", { name: "Send an SOS?" });
    await dialog.waitFor(BOUND);
    await dialog.getByText("Your last position (just now) goes with it.").waitFor(BOUND);
    assert.deepEqual(await axeViolations(alice), [], "the raise dialog");
    await dialog.getByLabel("Note (optional)").fill("Crashed at the hairpin, leg hurts");
    await dialog.getByRole("button", { name: "Send SOS to Pass ride" }).click();
    await dialog.waitFor({ state: "detached", ...BOUND });
    await alice.getByRole("heading", { name: "Your SOS in Pass ride" }).waitFor(BOUND);
  });

  it("Bob's page shows the alert in front of everything, with focus on it, and vibrates", async () => {
    const alert = bob.getByRole("alertdialog", { name: `SOS from ${names.alice}` });
    await alert.waitFor(BOUND);
    const text = (await alert.textContent()) ?? "";
    assert.match(text, /In Pass ride, raised at/);
    assert.match(text, /“Crashed at the hairpin, leg hurts”/);
    assert.match(text, /Last position \d+\.\d{5}, \d+\.\d{5}/);
    assert.match(await alert.getByTestId("sos-fix-age").innerText(), /just now|\d+ s ago/);
    assert.ok(await alert.getByRole("link", { name: /Open in OpenStreetMap/ }).isVisible());
    await waitUntilInPage(bob, `document.activeElement?.getAttribute("role") === "alertdialog"`);
    await waitUntilInPage(bob, `window.vibrations.some((pattern) => Array.isArray(pattern))`);
    // Where the browser held the sound back, the tap offers it.
    const tap = alert.getByRole("button", { name: "Tap to sound the alarm" });
    if (await tap.isVisible()) await tap.click();
    assert.deepEqual(await axeViolations(bob), [], "the alert dialog");
    await screenshot(bob, "sos-bob-alert");
  });

  it("Bob's receipts reach Alice's panel live: delivered, then seen", async () => {
    const bobRow = alice.locator(`.sos-receipts li[data-member="${names.bob}"]`);
    await alice.locator(`.sos-receipts li[data-member="${names.bob}"][data-state="seen"]`).waitFor(BOUND);
    assert.match((await bobRow.textContent()) ?? "", /seen at \d{1,2}:\d{2}/);
    const steps = await alice.evaluate<string[]>("window.steps");
    assert.deepEqual(
      steps.filter((s) => s !== "none"),
      ["delivered", "seen"],
    );
  });

  it("Bob answers I'm coming: Alice sees it live, Bob's alarm stops and he may resolve", async () => {
    const alert = bob.getByRole("alertdialog", { name: `SOS from ${names.alice}` });
    await alert.getByRole("button", { name: "I'm coming" }).click();
    await alert.getByText("You are coming.").waitFor(BOUND);
    await alice
      .locator(`.sos-receipts li[data-member="${names.bob}"][data-state="acknowledged"]`)
      .waitFor(BOUND);
    assert.deepEqual(await alice.evaluate<string[]>("window.steps.filter((s) => s !== 'none')"), [
      "delivered",
      "seen",
      "acknowledged",
    ]);
    await alert.getByRole("button", { name: "Resolve" }).waitFor(BOUND);
    await waitUntilInPage(bob, "window.vibrations.at(-1) === 0"); // the alarm stopped
    assert.deepEqual(await axeViolations(alice), [], "the receipts panel");
    await screenshot(alice, "sos-alice-receipts");
    await alert.getByRole("button", { name: "Close" }).click();
    await alert.waitFor({ state: "detached", ...BOUND });
  });

  it("after a reload Bob's page shows the open SOS again, and its marker on the map", async () => {
    await bob.reload();
    const entry = bob.locator(".sos-list li", { hasText: `SOS from ${names.alice}` });
    await entry.waitFor(BOUND);
    assert.match((await entry.textContent()) ?? "", /you are coming/);
    // Answered already: back in the list, not in front of him again.
    assert.equal(await bob.getByRole("alertdialog").count(), 0);
    await entry.getByRole("button", { name: `Open the SOS from ${names.alice}` }).click();
    const alert = bob.getByRole("alertdialog", { name: `SOS from ${names.alice}` });
    await alert.getByRole("button", { name: "Show on the map" }).click();
    await alert.waitFor({ state: "detached", ...BOUND });
    await bob.locator(".leaflet-marker-icon[data-sos]", { hasText: names.alice }).waitFor(BOUND);
  });

  it("Alice resolves: both pages drop it", async () => {
    await alice.getByRole("button", { name: "Resolve: I am safe" }).click();
    await alice.locator(".sos-panel").waitFor({ state: "detached", ...BOUND });
    await bob.locator(".sos-panel").waitFor({ state: "detached", ...BOUND });
    await bob.locator(".leaflet-marker-icon[data-sos]").waitFor({ state: "detached", ...BOUND });
    assert.deepEqual(cspViolations.flat(), []);
  });
});

describe("[app] an SOS from a rider who does not share", () => {
  const env = useAppAndBrowser();

  it("the dialog asks the location service once, on a tap, and the SOS carries that position", async () => {
    const owner = await env.app.member();
    const created = await env.app.http("POST", "/api/groups", { name: "Walk" }, owner.token);
    const context = await env.browser.newContext({
      permissions: ["geolocation"],
      geolocation: { latitude: 46.62345, longitude: 8.04321 },
    });
    const page = await context.newPage();
    await registerInUi(page, env.app.url, uniqueName("walker"));
    await joinGroupInUi(page, created.body.group.inviteCode);
    const ownerSocket = await env.app.connect("/location", owner.token);
    const alerted = waitFor(ownerSocket, "sos:alert");

    await page.getByRole("button", { name: "SOS", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Send an SOS?" });
    await dialog
      .getByText("Your position is not known yet: add it, or send the SOS without it.")
      .waitFor(BOUND);
    await dialog.getByRole("button", { name: "Add my position" }).click();
    await dialog.getByText("Your last position (just now) goes with it.").waitFor(BOUND);
    assert.deepEqual(await axeViolations(page), [], "the raise dialog");
    await dialog.getByRole("button", { name: "Send SOS to Walk" }).click();
    const sos = await alerted;
    assert.equal(sos.fix?.lat, 46.62345);
    assert.equal(sos.fix?.lng, 8.04321);
    assert.deepEqual(
      dataOf(await ask(ownerSocket, "location:subscribe", { groupId: created.body.group.id })).riders,
      [],
      "the position went with the SOS only: nobody shares",
    );
  });
});

describe("[app] SOS where the browser blocks sound until a tap", () => {
  // Re-sent every 3 s rather than every minute.
  const env = useAppAndBrowser({ limits: { sosResendMs: 3000, sosSweepMs: 50 } });

  it("shows 'Tap to sound the alarm'; the tap sounds it; closed, the alert comes back and sounds again when re-sent", async () => {
    const alice = await env.app.member();
    const created = await env.app.http("POST", "/api/groups", { name: "Quiet ride" }, alice.token);
    const context = await env.browser.newContext();
    await context.addInitScript(AUTOPLAY_BLOCKED);
    const bob = await context.newPage();
    await registerInUi(bob, env.app.url, uniqueName("bob"));
    await joinGroupInUi(bob, created.body.group.inviteCode);
    // Reloaded, the page has had no tap yet, like a phone left in a pocket.
    await bob.reload();
    await bob.locator('.connection[data-status="online"]').waitFor({ state: "attached", ...BOUND });

    const location = await env.app.connect("/location", alice.token);
    const raised = await ask(location, "sos:raise", {
      groupId: created.body.group.id,
      clientSosId: "quiet-1",
      note: null,
      fix: null,
    });
    assert.ok(raised.ok);
    const alert = bob.getByRole("alertdialog", { name: `SOS from ${alice.user.username}` });
    await alert.waitFor(BOUND);
    const tap = alert.getByRole("button", { name: "Tap to sound the alarm" });
    await tap.waitFor(BOUND);
    assert.equal(await bob.evaluate<number>("window.beeps"), 0);
    assert.deepEqual(await axeViolations(bob), [], "the alert dialog with the tap control");
    await tap.click();
    await tap.waitFor({ state: "detached", ...BOUND });
    const beeps = await bob.evaluate<number>("window.beeps");
    assert.ok(beeps > 0, "the beeps started");

    await bob.keyboard.press("Escape");
    await alert.waitFor({ state: "detached", ...BOUND });
    await alert.waitFor(BOUND); // re-sent: in front of him again
    assert.match((await alert.textContent()) ?? "", /Sent \d+ times: nobody has answered yet/);
    await waitUntilInPage(bob, `window.beeps > ${beeps}`);
  });
});
