import { ImportsPanel } from '@/components/admin/ImportsPanel';

export const metadata = { title: '数据导入 · 平安大屏' };

export default function Page() {
  return <ImportsPanel />;
}
