import { AuditLogView } from '@/components/dispatch/AuditLogView';

export const metadata = { title: '审计日志 · 平安大屏' };

/** The audit log (admin): who did what, when (in the display zone), with each change field by field. */
export default function AuditPage() {
  return <AuditLogView />;
}
