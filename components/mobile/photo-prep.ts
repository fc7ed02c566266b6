'use client';

import { MAX_PHOTO_BYTES } from '@/lib/mobile/contract';
import { SNIFF_BYTES, sniffImageType } from '@/lib/mobile/photo-type';

/**
 * A photo as the phone picked it, made ready to save for sending, or refused here with a message the worker
 * can act on (not after a 4G upload, not in a queue that sends later). The server decodes JPEG, PNG and WebP
 * only (its image library has no HEVC), so:
 * - HEIC (iPhones' default when a photo is chosen from the library as a file) is converted to JPEG through a
 *   canvas where this browser can decode it (Safari can), and refused with how to fix it where it cannot;
 * - a picture over the upload limit is shrunk the same way (a 48 MP shot), or refused;
 * - anything that is not a picture is refused by its bytes, whatever its name says.
 */

/** The longest side a converted photo keeps: what the server stores anyway (server/uploads/photo.ts). */
const CONVERTED_MAX_SIDE = 2048;
const CONVERTED_QUALITY = 0.85;

export const PHOTO_MESSAGES = {
  heic: '此照片是 HEIC 格式，本机无法转换，不能上传。请改用相机直接拍照，或在“设置 › 相机 › 格式”中选“兼容性最佳”。',
  notImage: '这个文件不是照片（只能上传 JPEG、PNG、WebP 图片）',
  tooLarge: `照片超过 ${MAX_PHOTO_BYTES / 1024 / 1024} MB，且本机无法压缩，请换一张`,
} as const;

export class PhotoRefusedError extends Error {}

/** Re-encodes a picture as JPEG through a canvas (upright, at most CONVERTED_MAX_SIDE); null if undecodable. */
async function toJpeg(file: Blob): Promise<Blob | null> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return null;
  }
  try {
    const scale = Math.min(1, CONVERTED_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob | null>((resolve) =>
      canvas.toBlob((b) => resolve(b), 'image/jpeg', CONVERTED_QUALITY),
    );
  } finally {
    bitmap.close();
  }
}

/** The photo to save (the file itself, or a JPEG made from it); throws PhotoRefusedError with why not. */
export async function preparePhoto(file: Blob): Promise<Blob> {
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  const type = sniffImageType(head);
  if (type === null) throw new PhotoRefusedError(PHOTO_MESSAGES.notImage);
  if (type !== 'heic' && file.size <= MAX_PHOTO_BYTES) return file;
  const jpeg = await toJpeg(file);
  if (jpeg && jpeg.size <= MAX_PHOTO_BYTES) return jpeg;
  throw new PhotoRefusedError(type === 'heic' ? PHOTO_MESSAGES.heic : PHOTO_MESSAGES.tooLarge);
}

/** Each picked file prepared in turn: the ready ones, and the refusals' messages (one per kind). */
export async function prepareAll(files: Blob[]): Promise<{ photos: Blob[]; refusals: string[] }> {
  const photos: Blob[] = [];
  const refusals = new Set<string>();
  for (const f of files) {
    try {
      photos.push(await preparePhoto(f));
    } catch (e) {
      refusals.add(e instanceof Error ? e.message : String(e));
    }
  }
  return { photos, refusals: [...refusals] };
}
