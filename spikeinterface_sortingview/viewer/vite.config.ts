// Build config: two pages (host.html for /f, index.html for the view iframe).
// host.html is served at /f, so its asset URLs are absolute under /viewer/. The view page
// gets relative asset URLs so the same dist/ also works from any folder (static exports).
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'

const relativeViewAssets: Plugin = {
  name: 'relative-view-assets',
  transformIndexHtml: {
    order: 'post',
    handler: (html, ctx) => (ctx.path === '/index.html' ? html.replaceAll('"/viewer/assets/', '"./assets/') : html),
  },
}

export default defineConfig({
  base: '/viewer/',
  esbuild: { jsx: 'automatic' },
  plugins: [relativeViewAssets],
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
