import { AuditLogView } from '@/components/dispatch/AuditLogView';

export const metadata = { title: '审计日志 · 平安大屏' };

export default function AuditPage() {
  return <AuditLogView />;
}
