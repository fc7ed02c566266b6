import { DeptConsole } from '@/components/department/DeptConsole';

export const metadata = { title: '部门报到 · 平安大屏' };

export default function DeptPage() {
  return <DeptConsole />;
}
