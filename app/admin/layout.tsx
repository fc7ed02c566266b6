import type { ReactNode } from 'react';
import { AdminShell } from '@/components/admin/AdminShell';

/** Every /admin page (audit included) sits in the console's frame: left nav, content on the right. */
export default function AdminLayout({ children }: { children: ReactNode }) {
  return <AdminShell>{children}</AdminShell>;
}
