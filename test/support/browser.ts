// Debian's Chromium driven by playwright-core (nothing is downloaded), plus a
// place for screenshots: test-results/, kept by CI as artifacts.
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import type { AppOptions, Config } from "@convoy/server";
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from "playwright-core";
import { startApp, type TestApp } from "./app.ts";

const CHROMIUM = "/usr/bin/chromium";
export const clientDist = fileURLToPath(new URL("../../client/dist", import.meta.url));
/** The wait for something the page does at once (a render, an answer on loopback). */
export const BOUND = { timeout: 10_000 };
/** The wait for something that spans a reconnect's backoff on a loaded machine. */
export const SLOW = { timeout: 30_000 };

/** A phone in a handlebar mount: its screen size, and touch. */
export const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };
const artifacts = fileURLToPath(new URL("../../test-results", import.meta.url));

/** Chromium's switches for a headless run here (nothing downloaded, nothing phoned home). */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

function checkPrerequisites(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  if (!existsSync(`${clientDist}/index.html`))
    throw new Error("client/dist is missing: run `npm run build` first");
}

export async function launchBrowser(): Promise<Browser> {
  checkPrerequisites();
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A browser with a profile in `userDataDir`, like a phone's (not incognito): one context. */
export async function launchPersistentBrowser(
  userDataDir: string,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  checkPrerequisites();
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    ...options,
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });
}

/** Every console message of the page, from now on, that reports a Content Security Policy violation. */
export function watchCspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  return violations;
}

/**
 * Waits until `expression` (JavaScript in the page) is true, checked every frame.
 * Not page.waitForFunction: Playwright runs its predicate through eval, which the
 * app's Content Security Policy forbids; page.evaluate itself is exempt.
 */
export async function waitUntilInPage(page: Page, expression: string, ms = 10_000): Promise<void> {
  await page.evaluate(`new Promise((resolve, reject) => {
    const deadline = Date.now() + ${ms};
    const check = () => {
      if (${expression}) resolve(true);
      else if (Date.now() > deadline) reject(new Error(${JSON.stringify(`not true within ${ms} ms: ${expression}`)}));
      else requestAnimationFrame(check);
    };
    check();
  })`);
}

/** Registers through the UI (which logs in) and waits for the app shell. */
export async function registerInUi(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url);
  await page.getByRole("button", { name: "New here? Create an account" }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("button", { name: "Log out", exact: true }).waitFor({ timeout: 10_000 });
}

/** Creates a group through the UI (opening the form if needed) and resolves with its invite code. */
export async function createGroupInUi(page: Page, name: string): Promise<string> {
  if (!(await page.getByLabel("Group name").isVisible()))
    await page.getByRole("button", { name: "New group" }).click();
  await page.getByLabel("Group name").fill(name);
  await page.getByRole("button", { name: "Create group" }).click();
  await page
    .getByRole("combobox", { name: "Open group" })
    .filter({ hasText: name })
    .waitFor({ timeout: 10_000 });
  return (await page.getByTestId("invite-code").textContent())!;
}

export async function joinGroupInUi(page: Page, inviteCode: string): Promise<void> {
  await page.getByRole("button", { name: "Join", exact: true }).click();
  await page.getByLabel("Invite code").fill(inviteCode);
  await page.getByRole("button", { name: "Join group" }).click();
  await page.getByRole("button", { name: "Join group" }).waitFor({ state: "detached", timeout: 10_000 });
}

/**
 * For a describe block: a Convoy node serving the built app (memory stores)
 * and a browser, started before its tests and closed after them.
 */
export function useAppAndBrowser(options: Omit<AppOptions, "config"> & { config?: Partial<Config> } = {}) {
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  before(async () => {
    app = await startApp({ ...options, config: { clientDir: clientDist, ...options.config } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });
  return {
    get app() {
      return app!;
    },
    get browser() {
      return browser!;
    },
    async newPage(options?: BrowserContextOptions): Promise<Page> {
      return (await browser!.newContext(options)).newPage();
    },
  };
}

/** The number of points of `username`'s trail as drawn on `page` (0 when none is drawn). */
export const trailPoints = async (page: Page, username: string) =>
  Number(
    (await page
      .locator(`path[data-rider="${username}"]`)
      .getAttribute("data-points", { timeout: 10_000 })
      .catch(() => "0")) ?? "0",
  );

/** Waits until `username`'s trail on `page` has more than `count` points. */
export const trailGrowsPast = (page: Page, username: string, count: number) =>
  waitUntilInPage(
    page,
    `Number(document.querySelector('path[data-rider="${username}"]')?.getAttribute("data-points") ?? 0) > ${count}`,
  );
