import { TokensPanel } from '@/components/admin/TokensPanel';

export const metadata = { title: '大屏令牌 · 平安大屏' };

export default function Page() {
  return <TokensPanel />;
}
