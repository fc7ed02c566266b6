import { notFound } from 'next/navigation';
import { isRegionCode } from '@/lib/domain/region-code';

/** One district, town, community or grid; the wall layout reads the code from the path. */
export default async function WallRegionPage({ params }: { params: Promise<{ regionCode: string }> }) {
  const { regionCode } = await params;
  if (!isRegionCode(regionCode)) notFound();
  return null;
}
