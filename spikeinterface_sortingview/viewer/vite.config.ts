// Build config: two pages (host.html for /f, index.html for the view iframe).
// Both get relative asset URLs, so a runner works under a path prefix (jupyter-server-proxy's
// <base>/proxy/<port>/, a reverse proxy) and the same dist/ works from any folder (static exports):
// host.html is served at <runner>/f, so its assets are ./viewer/assets/; the view page's are ./assets/.
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'

const relativeAssets: Plugin = {
  name: 'relative-assets',
  transformIndexHtml: {
    order: 'post',
    handler: (html, ctx) => html.replaceAll('"/viewer/assets/', ctx.path === '/index.html' ? '"./assets/' : '"./viewer/assets/'),
  },
}

export default defineConfig({
  base: '/viewer/',
  esbuild: { jsx: 'automatic' },
  plugins: [relativeAssets],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: { index: 'index.html', host: 'host.html' },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
