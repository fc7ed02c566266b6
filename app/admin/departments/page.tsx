import { DepartmentsPanel } from '@/components/admin/DepartmentsPanel';

export const metadata = { title: '职能部门 · 平安大屏' };

export default function Page() {
  return <DepartmentsPanel />;
}
