// Bundles the server into dist/main.js. @convoy/shared is inlined (it ships as
// TypeScript source); every other dependency stays in node_modules.
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/main.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external: Object.keys(pkg.dependencies).filter((name) => name !== "@convoy/shared"),
  logLevel: "warning",
});
