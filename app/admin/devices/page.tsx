import { DevicesPanel } from '@/components/admin/DevicesPanel';
import { HotlineDeadLetters } from '@/components/hotline/HotlineDeadLetters';

export const metadata = { title: '终端设备 · 平安大屏' };

export default function Page() {
  // Field devices and the 12345 platform's callbacks: both are the integrations an admin keeps running.
  return (
    <>
      <DevicesPanel />
      <HotlineDeadLetters />
    </>
  );
}
