// A new build of the app: the service worker installs it in the background and
// it waits; the page says a new version is ready and reloads into it when the
// user chooses (never in the middle of typing). Long-open pages (a phone on a
// handlebar all day) ask for a new build every hour as well as on each load.
import { signal, type ReadonlySignal } from "@preact/signals";
import type { Clock, TimerId } from "../net/clock.ts";
import type { Feature } from "../features/feature.ts";

/** What the app uses of workbox-window's Workbox (a fake in tests). */
export interface ServiceWorkerPort {
  register(): Promise<unknown>;
  update(): Promise<unknown>;
  messageSkipWaiting(): void;
  addEventListener(type: "waiting" | "controlling", listener: (event: { isUpdate?: boolean }) => void): void;
  removeEventListener(
    type: "waiting" | "controlling",
    listener: (event: { isUpdate?: boolean }) => void,
  ): void;
}

export interface AppUpdates extends Feature {
  /** A new version is installed and waits for the user to reload. */
  updateReady: ReadonlySignal<boolean>;
  /** Switches to the new version: the page reloads once it has taken over. */
  applyUpdate(): void;
}

export const UPDATE_CHECK_MS = 60 * 60_000;

export function createAppUpdates({
  worker,
  clock,
  reload,
}: {
  /** Absent where the browser has no service workers, or in development. */
  worker: ServiceWorkerPort | undefined;
  clock: Clock;
  reload: () => void;
}): AppUpdates {
  const updateReady = signal(false);
  let applying = false;
  /** Another tab switched to the new version: this page runs the old one until it reloads. */
  let switchedElsewhere = false;
  let timer: TimerId | undefined;
  const onWaiting = () => (updateReady.value = true);
  const onControlling = (event: { isUpdate?: boolean }) => {
    // The first worker taking a page that had none is no new version.
    if (!event.isUpdate) return;
    if (applying) return reload();
    // Not this page's choice: it keeps running (someone may be typing) and offers the reload.
    switchedElsewhere = true;
    updateReady.value = true;
  };

  return {
    updateReady,
    applyUpdate() {
      if (!worker || !updateReady.value) return;
      // Nothing waits any more when another tab switched first: only the reload is left.
      if (switchedElsewhere) return reload();
      applying = true;
      worker.messageSkipWaiting();
    },
    start() {
      if (!worker) return;
      worker.addEventListener("waiting", onWaiting);
      worker.addEventListener("controlling", onControlling);
      // A failed registration (a private window, storage refused) leaves the app working online.
      void worker.register().catch(() => {});
      timer = clock.setInterval(() => void worker.update().catch(() => {}), UPDATE_CHECK_MS);
    },
    stop() {
      if (!worker) return;
      worker.removeEventListener("waiting", onWaiting);
      worker.removeEventListener("controlling", onControlling);
      if (timer !== undefined) clock.clearInterval(timer);
    },
  };
}
