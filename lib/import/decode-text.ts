import iconv from 'iconv-lite';

export type TextEncodingName = 'utf-8' | 'gbk';

/**
 * Text exported by Chinese Excel and GIS tools is often GBK (code page 936), not UTF-8. A GBK file is almost
 * never valid UTF-8 (its two-byte characters break UTF-8's continuation rules), so: a UTF-8 BOM or strictly
 * valid UTF-8 is UTF-8, anything else is read as GBK (GB18030 in fact, GBK's superset, so nothing is lost).
 */
export function detectEncoding(bytes: Uint8Array): TextEncodingName {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf-8';
  } catch {
    return 'gbk';
  }
}

/** Decodes bytes as detected (or as told), without a BOM. */
export function decodeText(
  bytes: Uint8Array,
  encoding: TextEncodingName = detectEncoding(bytes),
): { text: string; encoding: TextEncodingName } {
  if (encoding === 'utf-8') {
    const text = new TextDecoder('utf-8').decode(bytes);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, encoding };
  }
  return {
    text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'gb18030'),
    encoding,
  };
}

/**
 * The encoding a Shapefile's .cpg names (`UTF-8`, `GBK`, `936`, `CP936`, `GB2312`, `GB18030`…), as a label the
 * WHATWG decoders know; null for one we do not read (the caller then detects).
 */
export function encodingFromCpg(cpg: string): 'utf-8' | 'gbk' | 'gb18030' | null {
  const v = cpg
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');
  if (v === 'utf8' || v === '65001') return 'utf-8';
  if (['gbk', '936', 'cp936', 'gb2312', 'ansi936', 'windows936', 'ms936'].includes(v)) return 'gbk';
  if (v === 'gb18030' || v === '54936') return 'gb18030';
  return null;
}
