// Entry point: styles, then the app made from the browser's own objects. The
// only module that touches them; everything else is given what it needs.
import "leaflet/dist/leaflet.css";
import "./styles.css";
import { render } from "preact";
import { Workbox } from "workbox-window";
import { App } from "./app.tsx";
import { createAppContext } from "./app-context.ts";
import { createWebAlarm } from "./features/sos/web-alarm.ts";
import type { Clock } from "./net/clock.ts";
import { AppProvider } from "./ui/use-app.ts";

// Looked up at each call: a test's fake clock (Playwright) replaces these globals.
const clock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (id) => window.clearTimeout(id),
  setInterval: (fn, ms) => window.setInterval(fn, ms),
  clearInterval: (id) => window.clearInterval(id),
};

/** Some browsers' private modes throw on the mere lookup; the outbox then keeps to localStorage. */
function indexedDbOrNone(): IDBFactory | undefined {
  try {
    return "indexedDB" in window ? window.indexedDB : undefined;
  } catch {
    return undefined;
  }
}

const app = createAppContext({
  clock,
  // Reached on each use: where storage is disabled, even reading `localStorage` throws.
  store: {
    getItem: (key) => localStorage.getItem(key),
    setItem: (key, value) => localStorage.setItem(key, value),
    removeItem: (key) => localStorage.removeItem(key),
  },
  indexedDB: indexedDbOrNone(),
  fetch: (input, init) => fetch(input, init),
  network: {
    get onLine() {
      return navigator.onLine;
    },
    addEventListener: (type, listener) => window.addEventListener(type, listener),
    removeEventListener: (type, listener) => window.removeEventListener(type, listener),
  },
  page: document,
  // Built by `vite build` only: the development server serves no service worker.
  serviceWorker: import.meta.env.PROD && "serviceWorker" in navigator ? new Workbox("/sw.js") : undefined,
  reload: () => window.location.reload(),
  geolocation: "geolocation" in navigator ? navigator.geolocation : undefined,
  // Only in a secure context (https or localhost), and not in every browser.
  wakeLock: "wakeLock" in navigator ? navigator.wakeLock : undefined,
  alarm: createWebAlarm({
    AudioContextClass: "AudioContext" in window ? window.AudioContext : undefined,
    vibrate: "vibrate" in navigator ? (pattern) => navigator.vibrate(pattern) : undefined,
    clock,
  }),
});
app.start();
render(
  <AppProvider.Provider value={app}>
    <App />
  </AppProvider.Provider>,
  document.getElementById("app")!,
);
