// Keeps the phone's screen on while this user shares their position in any
// group (the Screen Wake Lock API), behind a switch remembered per user. The
// browser drops the lock whenever the page is hidden; it is asked again when
// the page is visible. Made by user-features.ts, shown by screen-wake-control.tsx.
import { effect, signal, type ReadonlySignal } from "@preact/signals";
import type { JsonStorage } from "../../net/storage.ts";
import type { Feature } from "../feature.ts";
import type { PageVisibility } from "../presence/presence.ts";

/** What the app needs of `navigator.wakeLock`. */
export interface WakeLockLike {
  request(type: "screen"): Promise<WakeLockSentinelLike>;
}

/** What the app needs of a `WakeLockSentinel`. */
export interface WakeLockSentinelLike {
  release(): Promise<void>;
  addEventListener(type: "release", listener: () => void): void;
  removeEventListener(type: "release", listener: () => void): void;
}

export type ScreenWakeState =
  /** The browser has no Screen Wake Lock API. */
  | { kind: "unsupported" }
  /** The switch is off. */
  | { kind: "off" }
  /** On, but nothing to keep on: not sharing, or the page is hidden. */
  | { kind: "waiting" }
  /** Asked; the browser has not answered yet. */
  | { kind: "asking" }
  | { kind: "held" }
  /** The browser said no (or dropped the lock while the page was visible): `reason` says why. */
  | { kind: "refused"; reason: string };

export interface ScreenWake extends Feature {
  /** The switch: keep the screen on while sharing. Default on. */
  enabled: ReadonlySignal<boolean>;
  state: ReadonlySignal<ScreenWakeState>;
  setEnabled(on: boolean): void;
}

export function createScreenWake({
  wakeLock,
  page,
  sharing,
  storage,
  userId,
}: {
  wakeLock: WakeLockLike | undefined;
  page: PageVisibility;
  /** groupId → how this user shares there; any entry means the screen should stay on. */
  sharing: ReadonlySignal<Record<string, unknown>>;
  storage: JsonStorage;
  userId: string;
}): ScreenWake {
  const enabledKey = `convoy.${userId}.keep-screen-on`;
  const enabled = signal(storage.loadJson<boolean>(enabledKey, true) !== false);
  const state = signal<ScreenWakeState>(
    wakeLock ? { kind: enabled.peek() ? "waiting" : "off" } : { kind: "unsupported" },
  );
  let running = false;
  let sharingAnywhere = false;
  let sentinel: WakeLockSentinelLike | null = null;
  let asking = false;
  /** Set when the browser dropped the lock while the page stayed visible; cleared when the page is shown again. */
  let droppedWhileVisible = false;
  let disposeEffect: (() => void) | undefined;

  const wanted = () => running && enabled.peek() && sharingAnywhere && !page.hidden;

  function idleState(): ScreenWakeState {
    return { kind: enabled.peek() ? "waiting" : "off" };
  }

  /** The browser released it (the page was hidden, or for its own reasons). */
  const onReleased = () => {
    if (!sentinel) return;
    sentinel.removeEventListener("release", onReleased);
    sentinel = null;
    if (!wanted()) {
      if (state.peek().kind === "held") state.value = idleState();
      return;
    }
    // Dropped while visible: ask once more, but not in a loop if the browser keeps dropping it.
    if (droppedWhileVisible) {
      state.value = { kind: "refused", reason: "it let the screen turn off again." };
      return;
    }
    droppedWhileVisible = true;
    sync();
  };

  function letGo(): void {
    const held = sentinel;
    sentinel = null;
    if (!held) return;
    held.removeEventListener("release", onReleased);
    held.release().catch(() => {
      // Already released by the browser: nothing is held either way.
    });
  }

  function sync(): void {
    if (!wakeLock) return;
    if (!wanted()) {
      letGo();
      // A refusal stays said while the page is merely hidden: it is asked again when shown.
      if (!(page.hidden && state.peek().kind === "refused")) state.value = idleState();
      return;
    }
    if (sentinel || asking) return;
    asking = true;
    state.value = { kind: "asking" };
    let request: Promise<WakeLockSentinelLike>;
    try {
      request = wakeLock.request("screen");
    } catch (error) {
      request = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    request.then(
      (granted) => {
        asking = false;
        if (!wanted() || sentinel) {
          // Sharing stopped (or the page was hidden) while the browser answered.
          granted.release().catch(() => {});
          sync();
          return;
        }
        sentinel = granted;
        granted.addEventListener("release", onReleased);
        state.value = { kind: "held" };
      },
      (error: unknown) => {
        asking = false;
        state.value = wanted() ? { kind: "refused", reason: reasonOf(error) } : idleState();
      },
    );
  }

  const onVisibility = () => {
    if (!page.hidden) droppedWhileVisible = false;
    sync();
  };

  return {
    enabled,
    state,
    setEnabled(on) {
      enabled.value = on;
      storage.saveJson(enabledKey, on);
      droppedWhileVisible = false;
      if (state.peek().kind === "refused") state.value = idleState();
      sync();
    },
    start() {
      running = true;
      page.addEventListener("visibilitychange", onVisibility);
      disposeEffect = effect(() => {
        sharingAnywhere = Object.keys(sharing.value).length > 0;
        sync();
      });
    },
    stop() {
      running = false;
      disposeEffect?.();
      disposeEffect = undefined;
      page.removeEventListener("visibilitychange", onVisibility);
      letGo();
      if (wakeLock) state.value = idleState();
    },
  };
}

function reasonOf(error: unknown): string {
  const message =
    typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error);
  return message.trim() || "no reason given.";
}
