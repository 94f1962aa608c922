/**
 * Citizens' questions are personal data (Decree 13/2023): before a question that found nothing
 * is stored to improve the search, it is folded, and what could name or describe a person is
 * masked — e-mail addresses, phone numbers, 9- and 12-digit ID numbers, dates, house numbers
 * and addresses, and personal names after "tôi tên / tên là / họ tên / con tôi tên". A question
 * that discloses a sensitive fact in the first person ("tôi / con tôi / vợ tôi … bị ung thư /
 * mắc … / theo đạo …") is not stored at all, only counted. A question that merely names a
 * procedure about health insurance, criminal records or religion is kept: the search must keep
 * learning from those.
 */
import { fold, normalizeInput } from '../text/vietnamese.js';

/** Stored texts are capped at this many characters (after masking). */
export const MAX_STORED_LENGTH = 200;

/** The one row under which sensitive first-person questions are only counted. */
export const SENSITIVE_PLACEHOLDER = '<cau hoi co thong tin nhay cam: khong luu>';

export type MaskedQuestion = { kind: 'masked'; text: string } | { kind: 'sensitive' };

/** Who the question speaks about in the first person (folded). */
const FIRST_PERSON =
  '(?:toi|em|minh|con toi|con em|con minh|con gai toi|con trai toi|vo toi|chong toi|bo toi|me toi|cha toi|ba toi|ong toi|anh toi|chi toi|em toi|chau toi|gia dinh toi|nha toi)';

/** What, said of oneself or one's family, is a sensitive fact (health, convictions, belief). */
const SENSITIVE_FACT = [
  'bi (?:benh|ung thu|hiv|aids|lao|tieu duong|tram cam|tam than|dong kinh|dot quy|viem gan|suy than|suy tim|liet|mu|diec|tu ky|thieu nang|khuyet tat|nhiem|sot xuat huyet|covid|tai bien|nghien|bat|kien|ket an|xu phat tu|tam giam|truy na)',
  'mac (?:benh|chung|phai)?',
  'nhiem (?:hiv|benh|covid)',
  'dang (?:dieu tri|chay than|cai nghien|mang thai|co thai|thu an|o tu|bi giam)',
  'co (?:thai|tien an|tien su|bau)',
  'tung (?:di tu|ngoi tu|bi ket an|bi bat)',
  'theo (?:dao|cong giao|thien chua|phat giao|tin lanh|hoi giao|cao dai|hoa hao)',
  'la (?:nguoi )?(?:dong tinh|song tinh|chuyen gioi|nhiem|con nghien|khuyet tat|tan tat|thuong binh|benh binh)',
  'nghien (?:ma tuy|ruou)',
].join('|');

const SENSITIVE = new RegExp(
  `(?:^|[^a-z])${FIRST_PERSON}(?: [a-z]+){0,2}? (?:${SENSITIVE_FACT})(?:[^a-z]|$)`,
);

/** Words that end a personal name (what the question goes on with). */
const NAME_STOP = new Set(
  'la o sinh nam muon can xin hoi de va bi co lam dang da se khong the nhu nay vay duoc cho ve tai tu den roi ma nhung vi con ho que thuong tru sdt so dien email hoc lop tuoi cua nha tai voi'.split(
    ' ',
  ),
);

const NAME_CUE =
  /\b(toi ten la|toi ten|ten toi la|ten toi|ten em la|ten em|em ten la|em ten|ten con toi la|con toi ten la|con toi ten|chau ten la|chau ten|ten la|ho ten la|ho ten|ho va ten la|ho va ten):?((?: [a-z]+){1,4})/g;

/** Mask up to four words after a name cue, stopping at a word that cannot be part of a name. */
function maskNames(s: string): string {
  return s.replace(NAME_CUE, (whole, cue: string, words: string) => {
    const ws = words.trim().split(' ');
    let i = 0;
    while (i < ws.length && !NAME_STOP.has(ws[i] ?? '')) i++;
    return i === 0 ? whole : [cue, '<ten>', ...ws.slice(i)].join(' ');
  });
}

const ADDRESS_WORD = '(?:ngo|ngach|hem|kiet|duong|pho|to|thon|xom|khu pho|khoi|ap|phuong|xa)';
/** The rest of an address: more "<word> <number or one or two words>" parts. */
const MORE_ADDRESS = `(?: ${ADDRESS_WORD} (?:\\d+[a-z]?(?:/\\d+)*|[a-z]+(?: [a-z]+)?))*`;

/**
 * Fold and mask a question for storage, or say it must only be counted.
 * Deterministic and pure, so the fixture set in test/citizens pins it down.
 */
export function maskQuestion(text: string): MaskedQuestion {
  let s = fold(normalizeInput(text));
  if (!s) return { kind: 'masked', text: '' };
  if (SENSITIVE.test(s)) return { kind: 'sensitive' };
  s = s
    // e-mail addresses
    .replace(/[a-z0-9._%+-]+ ?@ ?[a-z0-9-]+(?:\.[a-z0-9-]+)+/g, '<email>')
    // dates: 12/05/1990, 12-5-90, 12.05.1990, "ngay 5 thang 3 (nam 1990)", "thang 3 nam 1990"
    .replace(/\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b/g, '<ngay>')
    .replace(/\bngay \d{1,2} thang \d{1,2}(?: nam \d{2,4})?/g, '<ngay>')
    .replace(/\bthang \d{1,2}[/ ](?:nam )?\d{4}\b/g, '<ngay>')
    .replace(/\b(sinh nam|nam sinh|sinh ngay|ngay sinh)\s*:?\s*\d{4}\b/g, '$1 <ngay>')
    // ID numbers (CMND 9 digits, CCCD 12 digits), before phones
    .replace(/(?<![\d+])(?:\d{12}|\d{9})(?!\d)/g, '<so giay to>')
    // phone numbers: 09x…, +84…, 84…, dotted, dashed or spaced
    .replace(/(?:\+ ?84|\b84|\b0)(?:[ .-]?\d){8,10}\b/g, '<sdt>')
    // house numbers and addresses: "so nha 12a", "so 12 ngo 5 pho hue", "ngo 34 ngach 2",
    // "to 5 thon dong" ("so 12" alone is kept: "hồ sơ" folds to "ho so" too)
    .replace(
      new RegExp(
        `\\b(?:so nha|nha so|dia chi) ?:? ?\\d+[a-z]?(?:/\\d+[a-z]?)*${MORE_ADDRESS}`,
        'g',
      ),
      '<dia chi>',
    )
    .replace(
      new RegExp(`\\b(?:so|o) \\d+[a-z]?(?:/\\d+[a-z]?)*(?= ${ADDRESS_WORD} )${MORE_ADDRESS}`, 'g'),
      '<dia chi>',
    )
    .replace(
      new RegExp(`\\b(?:so |o )?${ADDRESS_WORD} \\d+[a-z]?(?:/\\d+)*\\b${MORE_ADDRESS}`, 'g'),
      '<dia chi>',
    );
  s = maskNames(s);
  // Any other long run of digits (account numbers, record numbers…)
  s = s
    .replace(/\d[\d .-]{3,}\d/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
  return { kind: 'masked', text: s.slice(0, MAX_STORED_LENGTH) };
}
