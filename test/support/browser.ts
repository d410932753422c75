// Debian's Chromium driven by playwright-core (nothing is downloaded), plus a
// place for screenshots: test-results/, kept by CI as artifacts.
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";
export const clientDist = fileURLToPath(new URL("../../client/dist", import.meta.url));
const artifacts = fileURLToPath(new URL("../../test-results", import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  if (!existsSync(`${clientDist}/index.html`))
    throw new Error("client/dist is missing: run `npm run build` first");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });
}

/** Registers through the UI (which logs in) and waits for the app shell. */
export async function registerInUi(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url);
  await page.getByRole("button", { name: "New here? Create an account" }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("button", { name: "Log out" }).waitFor({ timeout: 10_000 });
}
