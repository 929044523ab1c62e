// Vite builds the app into dist/ (index.html + hashed files under assets/).
// Preact's JSX is compiled by esbuild's automatic runtime; no framework plugin.
import { defineConfig } from "vitest/config";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    // No inline polyfill script: the server's CSP is script-src 'self'.
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev` talks to a local server: TESSERA_URL=http://127.0.0.1:8080 npm run dev
    proxy: {
      "/api": process.env.TESSERA_URL ?? "http://127.0.0.1:8080",
      "/data": process.env.TESSERA_URL ?? "http://127.0.0.1:8080",
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
