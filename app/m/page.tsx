import { MobileApp } from '@/components/mobile/MobileApp';

export default function MobilePage() {
  return <MobileApp />;
}
