import { AuditLogView } from '@/components/dispatch/AuditLogView';
import { DenialCounts } from '@/components/admin/DenialCounts';

export const metadata = { title: '审计日志 · 平安大屏' };

/**
 * The audit log (admin): who did what, when (in the display zone), with each change field by field; below
 * it, the per-minute counts of denials anyone can cause (failed sign-ins, denied reads), kept out of the chain.
 */
export default function AuditPage() {
  return (
    <>
      <AuditLogView />
      <DenialCounts />
    </>
  );
}
