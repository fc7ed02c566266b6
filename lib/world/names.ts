import type { Rng } from './rng';

// Characters common in Sichuan place names; two of them make a plausible name (锦华, 青石, 桂溪…).
const PLACE_FIRST =
  '锦青桂金玉华东西南北新文龙凤安和永长清双石沙红白光明春兴天府合晨望泉桐柳荷梅竹松兰丰福瑞盛';
const PLACE_SECOND = '华江城桥林湖山河溪坝坪院湾园泉苑庄堰塘阳宁平康源台坡岭洲岗冲田岸门水里营';
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢傅钟';
const GIVEN =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏建国红辉志宇晨浩欣怡婷雪梅琳莉斌波亮云飞俊';
const DIGITS = '零一二三四五六七八九';

/** Unique two-character names drawn without repeats from one stream (a district has no two 锦华街道). */
export class NamePool {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Rng) {}

  placeStem(): string {
    for (let i = 0; i < 200; i++) {
      const s = this.rng.pick([...PLACE_FIRST]) + this.rng.pick([...PLACE_SECOND]);
      if (!this.used.has(s)) {
        this.used.add(s);
        return s;
      }
    }
    // Province scale exhausts two-character stems; a third character keeps names unique and still plausible.
    for (;;) {
      const s =
        this.rng.pick([...PLACE_FIRST]) + this.rng.pick([...PLACE_FIRST]) + this.rng.pick([...PLACE_SECOND]);
      if (!this.used.has(s)) {
        this.used.add(s);
        return s;
      }
    }
  }
}

export function personName(rng: Rng): string {
  const given = rng.chance(0.6) ? rng.pick([...GIVEN]) + rng.pick([...GIVEN]) : rng.pick([...GIVEN]);
  return rng.pick([...SURNAMES]) + given;
}

/** 张女士 / 李先生: how a hotline ticket names a caller. */
export function callerName(rng: Rng): string {
  return rng.pick([...SURNAMES]) + (rng.chance(0.5) ? '女士' : '先生');
}

/** Chinese numerals for 0..9999 (十二, 一百零五): labels stay CJK, which the basemap draws with local fonts. */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 9999) return String(n);
  if (n < 10) return DIGITS[n]!;
  if (n < 20) return '十' + (n % 10 ? DIGITS[n % 10]! : '');
  const units = ['', '十', '百', '千'];
  const digits = String(n).split('').map(Number);
  let out = '';
  let pendingZero = false;
  digits.forEach((d, i) => {
    const unit = units[digits.length - 1 - i]!;
    if (d === 0) {
      pendingZero = out.length > 0;
      return;
    }
    if (pendingZero) out += '零';
    pendingZero = false;
    out += DIGITS[d]! + unit;
  });
  return out;
}

/** A mobile number that looks real but sits in a range no operator issues (199 0000 xxxx is unassigned). */
export function fakeMobile(rng: Rng): string {
  return `1990000${String(rng.int(0, 9999)).padStart(4, '0')}`;
}
