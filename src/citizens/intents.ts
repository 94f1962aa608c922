import { tokenize } from './lexicon.js';

/**
 * Questions that are not a search for one procedure: "dịch vụ nào làm online hoàn toàn ở xã"
 * (list the toàn trình procedures at commune level), "lĩnh vực" (browse by field), or a bare
 * field name ("hộ tịch", "đất đai").
 */
export type Intent =
  | { kind: 'fullyOnlineCommune' }
  | { kind: 'fields' }
  | { kind: 'field'; field: string }
  | { kind: 'search' };

const FULLY_ONLINE = [
  'toan trinh',
  'online hoan toan',
  'hoan toan online',
  'truc tuyen hoan toan',
  'hoan toan truc tuyen',
  'hoan toan tren mang',
  'hoan toan qua mang',
  'muc do 4',
  'muc 4',
  'dvc muc 4',
];

/** Words that may surround the "fully online" question without making it about one procedure. */
const LIST_FILLER = new Set(
  (
    'dich vu cong nao thu tuc nhung cac co the lam duoc o tai cap xa phuong minh toi em cho hoi ' +
    'danh sach liet ke gi ko khong vay a nhe online truc tuyen tren mang qua hien nay nop ho so ' +
    'hanh chinh ubnd uy ban nhan dan dvc muon biet xem tim kiem tra cuu'
  ).split(' '),
);

const FIELDS_WORDS = new Set([
  'linh',
  'vuc',
  'danh',
  'sach',
  'cac',
  'xem',
  'tat',
  'ca',
  'nhung',
  'theo',
  'chon',
]);

/**
 * Classify a citizen's text. `fieldPhrases` maps folded field names and their parts to the
 * official field name (built by CitizenService from the catalogue).
 */
export function detectIntent(text: string, fieldPhrases: ReadonlyMap<string, string>): Intent {
  const tokens = tokenize(text);
  const folded = ` ${tokens.join(' ')} `;
  if (/ la gi /.test(folded) || / nghia la /.test(folded)) return { kind: 'search' };
  const marker = FULLY_ONLINE.find((m) => folded.includes(` ${m} `));
  if (marker) {
    const rest = ` ${folded.replace(` ${marker} `, ' ')} `
      .split(' ')
      .filter((t) => t !== '' && !LIST_FILLER.has(t) && !marker.split(' ').includes(t));
    if (rest.length === 0) return { kind: 'fullyOnlineCommune' };
  }
  if (tokens.includes('linh') && tokens.includes('vuc') && tokens.every((t) => FIELDS_WORDS.has(t)))
    return { kind: 'fields' };
  const withoutLead = tokens.filter((t, i) => !(i < 2 && (t === 'linh' || t === 'vuc')));
  const field = fieldPhrases.get(withoutLead.join(' '));
  if (field !== undefined) return { kind: 'field', field };
  return { kind: 'search' };
}

const GENERIC_PARTS = new Set(['dang ky', 'quan ly', 'thu bhxh']);

/**
 * Folded phrases naming each field: the whole name, its comma-separated parts, and parts
 * without a leading "quản lý"/"cấp"/"đăng ký" ("Đăng ký, quản lý cư trú" -> "cư trú").
 */
export function buildFieldPhrases(fields: Iterable<string>): Map<string, string> {
  const map = new Map<string, string>();
  for (const field of fields) {
    map.set(tokenize(field).join(' '), field);
    for (const part of field.split(/[,()]/)) {
      const t = tokenize(part);
      const phrase = t.join(' ');
      if (t.length >= 2 && !GENERIC_PARTS.has(phrase) && !map.has(phrase)) map.set(phrase, field);
      for (const lead of [['quan', 'ly'], ['cap'], ['dang', 'ky']]) {
        if (lead.every((w, i) => t[i] === w) && t.length - lead.length >= 2) {
          const rest = t.slice(lead.length).join(' ');
          if (!map.has(rest)) map.set(rest, field);
        }
      }
    }
  }
  return map;
}
