import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

// The browser app lives in web/ and is built into dist/web, which the server serves. The protocol
// workspace package is bundled from its TypeScript source ("parley-source" export condition).
export default defineConfig({
  root: "web",
  plugins: [react()],
  resolve: { conditions: ["parley-source", ...defaultClientConditions] },
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    sourcemap: true,
    // One chunk of React, react-intl and markdown-it: about 510 kB, 160 kB gzipped (decision 0020).
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { "/api": "http://localhost:3000", "/ws": { target: "ws://localhost:3000", ws: true } } },
});
