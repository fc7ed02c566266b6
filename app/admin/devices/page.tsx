import { DevicesPanel } from '@/components/admin/DevicesPanel';

export const metadata = { title: '终端设备 · 平安大屏' };

export default function Page() {
  return <DevicesPanel />;
}
