import iconv from 'iconv-lite';

export type TextEncodingName = 'utf-8' | 'gbk';

/**
 * Text exported by Chinese Excel and GIS tools is often GBK (code page 936), not UTF-8. A GBK file is almost
 * never valid UTF-8 (its two-byte characters break UTF-8's continuation rules), so: a UTF-8 BOM or strictly
 * valid UTF-8 is UTF-8, anything else is read as GBK (GB18030 in fact, GBK's superset, so nothing is lost).
 * The exception: a few GBK characters (lead byte C2–DF, e.g. 路 = C2 B7) are also valid two-byte UTF-8 (·).
 * Chinese written in UTF-8 takes three bytes a character, so valid UTF-8 whose only non-ASCII characters are
 * two-byte ones (U+0080–U+07FF), and which reads as Chinese ideographs in GBK, is taken as GBK. A UTF-8 file
 * whose only non-ASCII text is Latin accents would be misread by this; in a Chinese centre's registry that is
 * rarer than a short GBK file.
 */
export function detectEncoding(bytes: Uint8Array): TextEncodingName {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return 'gbk';
  }
  if (!/[\u0080-\u07ff]/.test(text) || /[\u0800-\uffff]/.test(text)) return 'utf-8';
  const gbk = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'gb18030');
  return /[^\t\n\r -~\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/.test(gbk) ? 'utf-8' : 'gbk';
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
