import { UsersPanel } from '@/components/admin/UsersPanel';

export const metadata = { title: '用户管理 · 平安大屏' };

export default function Page() {
  return <UsersPanel />;
}
