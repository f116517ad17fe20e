// Two pages, one build: the workbench (index.html, served at /) and the residents' page
// (resident.html, served at /m/). Assets are served by the hub at /web-assets/.
import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  base: '/web-assets/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    reportCompressedSize: false, // gzip-sizing every chunk slows the build; bench/web_load.py measures
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        resident: resolve(import.meta.dirname, 'resident.html'),
      },
    },
  },
})
