// The components as a library (npm run build:lib → lib/, packed by npm
// pack): ES modules for the two entries, `invites-components` (the
// elements and configure()) and `invites-components/client` (the typed API
// client). lit and openapi-fetch stay dependencies of the package, so an app
// that uses them too loads them once.
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'lib',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: { index: 'src/index.ts', client: 'src/api/typed-client.ts' },
      formats: ['es'],
    },
    rollupOptions: { external: [/^lit($|\/)/, /^@lit\//, 'openapi-fetch'] },
  },
});
