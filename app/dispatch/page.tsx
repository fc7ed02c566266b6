import { DispatchConsole } from '@/components/dispatch/DispatchConsole';

export const metadata = { title: '指挥调度台 · 平安大屏' };

export default async function DispatchPage({
  searchParams,
}: {
  searchParams: Promise<{ incident?: string }>;
}) {
  const { incident } = await searchParams;
  return <DispatchConsole initialSelectedId={incident ?? null} />;
}
