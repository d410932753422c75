import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

// `npm run dev`: Vite serves the app with live reload and forwards the API and
// Socket.IO to the server on :3000.
const server = process.env.CONVOY_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  server: {
    proxy: {
      "/api": server,
      "/readyz": server,
      "/socket.io": { target: server, ws: true },
    },
  },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  plugins: [
    // The web app manifest and the service worker (src/offline/sw.ts, built with the
    // list of the build's files to keep). The page registers it (src/offline/app-updates.ts).
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src/offline",
      filename: "sw.ts",
      injectRegister: false,
      manifestFilename: "manifest.webmanifest",
      // The icons are in public/ and so in the build's list already.
      includeManifestIcons: false,
      injectManifest: { globPatterns: ["**/*.{js,css,html,svg,png,webmanifest}"] },
      manifest: {
        name: "Convoy",
        short_name: "Convoy",
        description: "Chat, presence and a live map for riding groups.",
        id: "/",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "any",
        background_color: "#f5f1e6",
        theme_color: "#1d3b2a",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
          { src: "/icons/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" },
        ],
      },
    }),
  ],
});
