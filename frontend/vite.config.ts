import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// During `npm run dev` the API, health probe, Swagger UI and uploads come from the
// C++ server. GOMALL_DEV_PROXY overrides where it runs.
const target = process.env.GOMALL_DEV_PROXY ?? 'http://127.0.0.1:8080';
const proxied = { target, changeOrigin: false };

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    strictPort: false,
    proxy: {
      '/api': proxied,
      '/health': proxied,
      '/swagger': proxied,
      '/uploads': proxied,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
});
