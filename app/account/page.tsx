import { PasswordChangeForm } from '@/components/account/PasswordChangeForm';

export const metadata = { title: '修改密码 · 平安大屏' };

export default function AccountPage() {
  return <PasswordChangeForm />;
}
