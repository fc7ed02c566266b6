import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';

export const metadata: Metadata = {
  title: '平安网格 · 网格员',
  // The phone page's own manifest: installs as its own app, opening /m in portrait.
  manifest: '/m-manifest.webmanifest',
  appleWebApp: { capable: true, title: '平安网格', statusBarStyle: 'default' },
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: '#0b4fa8',
};

export default function MobileLayout({ children }: { children: ReactNode }) {
  return children;
}
