import { LoginForm } from '@/components/dispatch/LoginForm';

export const metadata = { title: '登录 · 平安大屏' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return <LoginForm next={next ?? null} />;
}
