import { TimeLimitsPanel } from '@/components/admin/TimeLimitsPanel';

export const metadata = { title: '时限设置 · 平安大屏' };

export default function Page() {
  return <TimeLimitsPanel />;
}
