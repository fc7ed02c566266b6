/**
 * What a photo's first bytes say it is, read the same way on the phone (before a photo is saved to send) and on
 * the server (before it is decoded): a file name or a Content-Type says nothing. HEIC (iPhones' default) is
 * recognised so that it can be converted on the phone where the browser decodes it, or refused by name.
 */
export type SniffedType = 'jpeg' | 'png' | 'webp' | 'heic';

/** The ISO-BMFF major brands of HEIF/HEIC stills and sequences (`ftyp` box at offset 4). */
const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The header bytes `sniffImageType` reads; reading more changes nothing. */
export const SNIFF_BYTES = 12;

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

export function sniffImageType(b: Uint8Array): SniffedType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && PNG_SIGNATURE.every((v, i) => b[i] === v)) return 'png';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp' && HEIF_BRANDS.has(ascii(b, 8, 12))) return 'heic';
  return null;
}
