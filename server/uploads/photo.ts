import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { sniffImageType } from '@/lib/mobile/photo-type';
import { MAX_PHOTO_BYTES } from '@/lib/mobile/contract';

/**
 * Field photos (DESIGN: evidence a grid worker attaches to a report). Every upload is re-encoded, never
 * stored as sent: the type is read from the bytes (a name or a Content-Type says nothing), the picture is
 * turned upright by its EXIF orientation and written again as JPEG without any metadata (EXIF carries the
 * phone's GPS track, owner and serial), then stored under the sha256 of the stored bytes.
 */

/** An upload larger than this is refused before it is decoded (a 48 MP phone JPEG is ~12 MB; most are 2-5). */
export const MAX_UPLOAD_BYTES = MAX_PHOTO_BYTES;
/** Pixels a decoder may be asked to open (a decompression bomb is refused, not decoded): 60 MP. */
export const MAX_INPUT_PIXELS = 60_000_000;
/** The stored picture's longest side: enough to read a plate or a sign, small enough for 4G. */
export const MAX_STORED_SIDE = 2048;
/** The thumbnail's longest side (lists, the wall's drawer, the console). */
export const THUMB_SIDE = 320;
/**
 * The stored JPEG's bound, a row's blob in the database: pure noise at 2048×2048 (the worst case for JPEG)
 * re-encodes to 2.5 MB at STORED_QUALITY; a phone photo is 0.3–1 MB. A larger result is refused, not stored.
 */
export const MAX_STORED_PHOTO_BYTES = 8 * 1024 * 1024;
/** The thumbnail's bound: 320×320 RGB is 300 KB raw, and its JPEG (noise included) is a few tens of KB. */
export const MAX_THUMB_BYTES = 1024 * 1024;
const STORED_QUALITY = 82;
const THUMB_QUALITY = 70;

// The phone reads a photo's type the same way before it saves one to send (lib/mobile/photo-type.ts).
export { sniffImageType, type SniffedType } from '@/lib/mobile/photo-type';

export type PhotoRejection =
  | { reason: 'too_large'; status: 413; message: string }
  | {
      reason: 'empty' | 'not_an_image' | 'heic_unsupported' | 'undecodable';
      status: 415 | 400;
      message: string;
    };

export interface ProcessedPhoto {
  /** sha256 (hex) of `data`: the stored name, so the same photo twice is one file. */
  hash: string;
  data: Buffer;
  thumb: Buffer;
  mime: 'image/jpeg';
  width: number;
  height: number;
}

/** Checks and re-encodes one upload; answers why it was refused instead of throwing. */
export async function processPhoto(input: Buffer): Promise<ProcessedPhoto | PhotoRejection> {
  if (input.length === 0) return { reason: 'empty', status: 400, message: '照片为空' };
  if (input.length > MAX_UPLOAD_BYTES)
    return {
      reason: 'too_large',
      status: 413,
      message: `照片超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`,
    };
  const type = sniffImageType(input);
  if (type === 'heic')
    // The prebuilt decoder has no HEVC; phones' browsers convert HEIC to JPEG when a page asks for image/*.
    return {
      reason: 'heic_unsupported',
      status: 415,
      message: '不支持 HEIC 格式，请在相机设置中选择“兼容性最佳”(JPEG)',
    };
  if (type === null)
    return { reason: 'not_an_image', status: 415, message: '文件不是 JPEG、PNG 或 WebP 图片' };
  try {
    const upright = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .rotate()
      .resize(MAX_STORED_SIDE, MAX_STORED_SIDE, { fit: 'inside', withoutEnlargement: true });
    // No withMetadata(): sharp writes no EXIF, ICC or XMP unless asked to.
    const { data, info } = await upright
      .jpeg({ quality: STORED_QUALITY, mozjpeg: false })
      .toBuffer({ resolveWithObject: true });
    const thumb = await sharp(data)
      .resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: THUMB_QUALITY })
      .toBuffer();
    if (data.length > MAX_STORED_PHOTO_BYTES || thumb.length > MAX_THUMB_BYTES)
      return { reason: 'too_large', status: 413, message: '照片压缩后仍然过大' };
    const hash = createHash('sha256').update(data).digest('hex');
    return { hash, data, thumb, mime: 'image/jpeg', width: info.width, height: info.height };
  } catch {
    return { reason: 'undecodable', status: 400, message: '图片已损坏，无法读取' };
  }
}

export function isRejection(r: ProcessedPhoto | PhotoRejection): r is PhotoRejection {
  return 'reason' in r;
}

/** sha256 hex: what `GET /api/uploads/:hash` accepts (anything else is not a stored name). */
export const HASH_PATTERN = /^[0-9a-f]{64}$/;
