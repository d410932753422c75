import { defineConfig } from "vite";

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
});
