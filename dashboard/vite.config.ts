// The dashboard's build: `npm run build:dashboard` writes dashboard/dist/, which the edge
// serves (edge/node/serve-edge.ts on Node, `[assets]` in wrangler.toml on Workers).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names under assets/ are what lets the edge cache them for a year.
    assetsDir: 'assets',
    rolldownOptions: {
      output: {
        // Libraries change less often than our screens: their own chunk stays cached across releases.
        // Only those the first page needs ($initial): a library behind a lazy screen (charts, the
        // editor) stays in that screen's chunk instead of weighing on sign-in.
        codeSplitting: { groups: [{ name: 'vendor', test: /node_modules/, tags: ['$initial'] }] },
      },
    },
  },
  server: {
    // `vite --config dashboard/vite.config.ts` in development: the API is the Node edge's.
    proxy: { '/api': 'http://127.0.0.1:8787' },
  },
});
