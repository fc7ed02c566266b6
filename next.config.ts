import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  // Parallel builds (tests, benches) can use their own output folder.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  // The custom server (server/main.ts) owns /api, /metrics and /socket.io; Next serves pages only.
  poweredByHeader: false,
  // better-sqlite3 and friends must never be bundled into a page.
  serverExternalPackages: ['better-sqlite3'],
  devIndicators: false,
};

export default nextConfig;
