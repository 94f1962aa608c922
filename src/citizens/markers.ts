/**
 * Variants that tell sibling procedures apart ("lưu động", "có yếu tố nước ngoài", "cấp lại",
 * "đăng ký lại", "bị mất", "thôi"/"chấm dứt", "cấp tỉnh"…), used by the re-ranker (search.ts,
 * rerank.ts): each marker is a feature of its own, so the weights learn which disagreements
 * matter.
 */
/**
 * Variants that tell sibling procedures apart: `doc` is looked for in the folded name, `query`
 * in the normalised question and `raw` in the folded question before filler removal (for
 * words like "online" that the normaliser drops).
 */
/**
 * Words that negate what follows ("không cần đăng ký thường trú", "không đợi đến cuối năm",
 * "không phải cấp lại"), folded. "Không còn", "chưa có" (a lack) are facts, and "không muốn"
 * often the request itself ("không muốn nhận thừa kế"); "khỏi" folds like "khôi", "khởi".
 */
const NEGATION_CUES = / (khong|ko|k|chua|chang) (can|phai|doi) /g;

/** How many words after a negation cue it reaches. */
const NEGATION_REACH = 3;

/**
 * Negations in `text` (folded, space-padded), as word positions in its space-separated words:
 * where the cue starts, and the words it reaches (from, to exclusive).
 */
export function negatedFrom(text: string): Array<[number, number, number]> {
  const spans: Array<[number, number, number]> = [];
  const words = (upTo: number): number =>
    text
      .slice(0, upTo)
      .split(' ')
      .filter((w) => w !== '').length;
  for (const m of text.matchAll(NEGATION_CUES)) {
    const first = (m.index ?? 0) + m[0].length - m[0].trimStart().length;
    const end = words((m.index ?? 0) + m[0].trimEnd().length);
    spans.push([words(first + 1) - 1, end, end + NEGATION_REACH]);
  }
  return spans;
}

const GLOBAL = new WeakMap<RegExp, RegExp>();

/**
 * Whether `re` matches `text` (folded, space-padded) other than within the reach of a negation
 * cue before it.
 */
export function matchesUnnegated(re: RegExp, text: string): boolean {
  if (!re.test(text)) return false;
  const negated = negatedFrom(text);
  if (negated.length === 0) return true;
  let global = GLOBAL.get(re);
  if (!global) {
    global = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
    GLOBAL.set(re, global);
  }
  for (const m of text.matchAll(global)) {
    // The first word of the match, counted like negatedFrom's positions.
    const at = text
      .slice(0, (m.index ?? 0) + 1)
      .trim()
      .split(' ')
      .filter((w) => w !== '').length;
    if (!negated.some(([, from, to]) => at >= from && at < to)) return true;
  }
  return false;
}

export interface Marker {
  doc: RegExp;
  query: RegExp;
  raw?: RegExp;
  /**
   * How or where a procedure is done (online, at the province) rather than which of its
   * siblings: a question saying "online" mostly asks whether it can be done online. Left out
   * of the marker counts; its own features still let the weights learn it. ("Toàn trình" is
   * counted: names saying it have a sibling done partly online or at the counter.)
   */
  channel?: true;
  /**
   * A name matching this does not disagree with a question that has the marker but the name
   * not: "cấp lại" and "đăng ký lại" serve a paper lost ("bị mất") without saying so.
   */
  coveredBy?: RegExp;
  /**
   * Only agreement counts: a name with the variant is not at odds with a question silent on
   * it ("tại cấp tỉnh" when the question names no level).
   */
  askedOnly?: true;
  /**
   * The words of the name a question with the marker explains (global; `doc` without it): not
   * counted as left unexplained in the name (docMiss).
   */
  span?: RegExp;
}

/**
 * "mất" after a person ("bà mất", "bố tôi mất") is a death, and before a cost or a time ("mất
 * bao lâu", "mất mấy ngày", "có mất tiền không") or "mặt tiền" (a frontage), not a lost paper: the
 * markers for lost papers skip it.
 */
const LOST = String.raw`(?<! (ong|ba|bo|me|cha|chong|vo|anh|em|nguoi|noi|ngoai|chau|ma) )mat(?! (may|bao|tien|phi|thoi gian|nhieu|khoang|chi phi|cong|vai|it) )`;

/**
 * "thôi" (stop) folds like "thời" (time: "tạm thời", "thời hạn", "đồng thời"), and a name that
 * lists it among other actions ("thực hiện, điều chỉnh, thôi hưởng") serves them all.
 */
const STOP_WORD = String.raw`(?<! (tam|dong|dieu chinh|truoc|het) )thoi(?! (han|gian|diem|ky|hieu|tiet|vu|su|trang|khoa) )`;
/** "nghỉ" (quit) folds like "nghị" ("đề nghị", "nghị định") and "nghĩ". */
const QUIT = String.raw`(?<! (de|kien|hoi|suy|ban) )nghi(?! (dinh|quyet|luc|si) )`;

/** Countries and nationalities as questions name them (folded), after a word tying them to a person or place. */
const COUNTRIES =
  'lao|han|trung|nhat|dai loan|my|uc|phap|duc|nga|campuchia|thai|han quoc|nhat ban|trung quoc|thai lan|hoa ky|singapore|malaysia|anh quoc|canada|ba lan|ha lan|thuy dien|na uy|dan mach|an do|philippines|indonesia|myanmar|lien bang nga|ukraina|angieri|nam phi|brazil|chile|mexico|new zealand|cuba|trieu tien|ma cao|hong kong';

/** A query pattern that never matches: the marker reads the question's own words (raw) only. */
const NEVER = /(?!)/;

/** A register gone: lost, damaged, destroyed, not kept. */
const GONE =
  'khong con|ko con|k con|mat|mat het|hong|that lac|lut|chay|nat|rach|khong luu|ko luu|bi huy|moi mot';

export const MARKERS: readonly Marker[] = [
  {
    doc: / luu dong /,
    query:
      / (luu dong|tai nha|den nha|toi nha|tan nha|tan noi|(xuong|den|toi|ve) tan|xuong (thon|xom|ban)|cu (nguoi|can bo) (den|toi|xuong|ve)|om nang|nam vien|liet giuong|nam liet|bi liet|nam mot cho|khong (di|dung|dau) (duoc|lai duoc|noi)) /,
  },
  {
    doc: / (nuoc ngoai|lang gieng) /,
    query: / (nuoc ngoai|ngoai quoc|viet kieu|lang gieng|quoc tich) /,
    raw: new RegExp(
      ` (nguoi|ben|cua|o|tai|sang|voi|chong|vo|bo|me|cha|re|dau|con lai|toa|toa an|dinh cu o|quoc tich) (${COUNTRIES}) `,
    ),
    // The name's whole variant ("có yếu tố nước ngoài") is what the question said in its own
    // words ("chồng người Pháp"): none of it is left unexplained.
    span: / (co yeu to nuoc ngoai|nuoc ngoai|nuoc lang gieng|lang gieng) /g,
  },
  { doc: / bien gioi /, query: / (bien gioi|giap bien|lang gieng|cua khau) / },
  {
    doc: / cap lai /,
    query: new RegExp(` (cap lai|lam lai|xin lai|${LOST}|rach|hong|chay|nat) `),
    raw: / (that lac|danh roi|bi trom) /,
    // Registering again is what is done when the papers and the register are lost.
    coveredBy: / dang ky lai /,
  },
  {
    doc: / dang ky lai /,
    query: / (dang ky lai|khong con|mat het|chay|so goc) /,
  },
  {
    doc: / (bi mat|do mat|trinh bao mat) /,
    query: new RegExp(` ${LOST} `),
    coveredBy: / (cap lai|dang ky lai) /,
    raw: / (that lac|danh roi) /,
  },
  {
    // "Hủy việc kết hôn" (an annulment, beside "ly hôn") is an event recorded, not a stop.
    doc: new RegExp(` (${STOP_WORD}|cham dut|xoa|huy(?! viec ket hon)|thu hoi) `),
    query: new RegExp(` (${STOP_WORD}|${QUIT}|cham dut|xoa|huy|thu hoi|rut|cat) `),
  },
  { doc: / gia han /, query: / (gia han|het han|qua han|keo dai|them thoi gian) / },
  {
    doc: / (dieu chinh|thay doi|cai chinh|bo sung|cap nhat) /,
    query: / (dieu chinh|thay doi|sua|doi|cai chinh|bo sung|cap nhat|tich hop) /,
  },
  {
    doc: / (truc tuyen|dich vu cong|dien tu) /,
    query: / (truc tuyen|dien tu) /,
    raw: / (online|onl|truc tuyen|tren mang|qua mang|vneid|dich vu cong|dien thoai|app) /,
    channel: true,
  },
  { doc: / lan dau /, query: / (lan dau|moi mua|chua co) / },
  {
    doc: / (ket hop|lien thong) /,
    query: / (ket hop|lien thong|cung luc|dong thoi) /,
    raw: / (luon|kem|cung luc|dong thoi|ca hai|mot lan|1 lan) /,
  },
  {
    doc: / duoi 14 /,
    query: / (duoi 14|tre em|tre|be) /,
    // An age under fourteen ("con 10 tuổi").
    raw: / ([1-9]|1[0-3]) tuoi /,
  },
  { doc: / cap doi /, query: / (cap doi|doi|cu) / },
  {
    channel: true,
    doc: / cap tinh /,
    query: / (cap|o|tai|len|cong an|ubnd) tinh /,
    raw: / (phong xuat nhap canh|cong an tinh|so (xay dung|tu phap|noi vu|tai nguyen|nong nghiep|giao thong|y te|lao dong|cong thuong|giao duc|tai chinh|van hoa)) /,
  },
  // A benefit paid out (allowance, survivors' pension, funeral support), as against recording
  // an event: "bố mất, gia đình nhận tiền tuất" asks for the benefit, not the death record.
  {
    doc: / (tro cap|tuat|che do|mai tang|huong) /,
    query:
      / (tro cap|tuat|che do|mai tang|luong huu|chi tra|boi thuong|phu cap|duoc huong|nhan tien|duoc tien|linh tien) /,
  },
  // Already done abroad, to be recorded here ("ghi vào Sổ hộ tịch việc kết hôn… đã được giải
  // quyết tại cơ quan có thẩm quyền của nước ngoài"), as against registering it here.
  {
    doc: / ghi vao so /,
    query: / (ghi chu|ghi vao so|vao so ho tich|ghi lai vao so|ghi so) /,
    raw: new RegExp(` (o|tai|ben|toa|toa an) (nuoc ngoai|${COUNTRIES}) (roi|xong) `),
    span: / (ghi vao so ho tich|ghi vao so dang ky nuoi con nuoi|ghi vao so|da duoc giai quyet tai co quan co tham quyen cua nuoc ngoai) /g,
  },
  // Done entirely online ("toàn trình") rather than partly or at the counter.
  {
    doc: / toan trinh /,
    query: / (toan trinh|truc tuyen|dien tu) /,
    raw: / (online|onl|truc tuyen|tren mang|qua mang|vneid|dich vu cong|app|ung dung) /,
  },
  // Periodic review ("định kỳ", once a year) against any time of the year ("thường xuyên").
  {
    doc: / dinh ky hang nam /,
    query: / (dinh ky|ra soat|cuoi nam|moi nam|theo dot) /,
  },
  {
    doc: / thuong xuyen hang nam /,
    query:
      / (thuong xuyen|giua nam|dot xuat|bat ngo|phat sinh|bat ky luc nao|bat cu luc nao|chua den ky|ngoai ky) /,
    // Now, within the year, without waiting for the yearly review ("xin ngay bây giờ", "luôn
    // trong năm", "không đợi cuối năm").
    // A bare "ngay" at the end is "at once" unless it counts days ("mất mấy ngày").
    raw: / (ngay (duoc|dc|bay gio|luc nay|khong|ko)|(luon|ngay) trong nam|(khong|ko|k|chang) (doi|cho) (den )?(cuoi nam|ky|dot)) | (?<!(may|bao nhieu|vai|mot|hai|ba|[0-9]+) )ngay $/,
  },
  // Residence in the past ("đã cư trú": has left) against residence now ("đang cư trú").
  {
    doc: / da cu tru /,
    query: / (tung|truoc day|truoc kia|da ve nuoc|da roi|khong con o|da xuat canh|da cu tru) /,
  },
  {
    doc: / dang cu tru /,
    query: / (dang o|hien o|dang song|hien song|hien dang|dang cu tru|dang sinh song) /,
  },
  // Someone else collects on the beneficiary's behalf ("ủy quyền lĩnh thay").
  {
    doc: / (uy quyen|linh thay) /,
    query: / (uy quyen|linh thay|nhan thay|linh ho|nhan ho|lay ho|nho nguoi|giay uy quyen) /,
  },
  // How a benefit is paid (cash or a bank account), not whether it is granted.
  {
    doc: / (tien mat|tai khoan ca nhan) /,
    // "tài khoản" alone is as often a VNeID account.
    query:
      / (tien mat|tai khoan (ngan hang|ca nhan)|so tai khoan|ngan hang|the atm|chuyen khoan|qua the) /,
  },
  // The register itself is gone too ("sổ ở xã cũng không còn", "sổ gốc bị lụt cuốn"): the
  // event is registered again, not copied from the register nor registered for the first
  // time. The question's own words only (the normaliser drops "ko", and a synonym's expansion
  // says nothing about the register).
  {
    doc: / dang ky lai /,
    query: NEVER,
    raw: new RegExp(
      ` (so|quyen so) (goc|luu|ho tich|o xa|tai xa|o ubnd|o phuong|cua xa|xa|cung|luu tru)( [a-z0-9]+){0,4} (${GONE}) |` +
        ` (xa|ubnd|phuong|uy ban) (cung )?(khong|ko|k) con (luu|giu|so) `,
    ),
  },
  // The province asked for in so many words ("lên thẳng công an tỉnh"): the procedure done at
  // the province, as against its commune sibling. (The channel marker above also reads "ở
  // tỉnh", which often only names Hà Tĩnh.)
  {
    doc: / cap tinh /,
    query: NEVER,
    raw: / (cong an tinh|len tinh|len thang tinh|cap tinh|phong xuat nhap canh) /,
    askedOnly: true,
  },
  // A large building (grade I, II or special: a permit from the province) against grade III,
  // IV and single houses.
  {
    doc: / cap dac biet /,
    query: / (cap dac biet|cao tang) /,
    raw: / (cong trinh cap (i|ii|1|2|mot|hai|dac biet)|[1-9][0-9] tang|cao tang|nha cao tang) /,
  },
  // A company of several members ("3 anh em góp vốn") against one owner ("một mình tôi").
  {
    doc: / hai thanh vien tro len /,
    query: / (hai thanh vien|nhieu thanh vien|gop von|hun von|chung von) /,
    raw: / ([2-9]|hai|ba|bon|nam|sau|vai|may|nhieu) (anh em|chi em|nguoi|thanh vien|ban|dua ban|co dong|gia dinh)( [a-z]+){0,2} (gop|hun|chung|cung)|(cung|chung) (mo|lap|thanh lap) (cong ty|cty) /,
  },
  {
    doc: / mot thanh vien /,
    query: / (mot thanh vien|mot chu so huu) /,
    raw: / (mot minh|1 minh|minh toi|1 thanh vien|mot chu|1 chu|mot nguoi lam chu|ca nhan toi) /,
  },
  // A transaction already certified ("hợp đồng đã chứng thực ở xã năm ngoái"): its copy, its
  // correction or its cancellation, not certifying it again.
  {
    doc: / (giao dich da duoc chung thuc|sua loi sai sot trong giao dich|sua doi bo sung huy bo giao dich) /,
    query: NEVER,
    raw: / (da (duoc )?chung thuc|chung thuc (roi|xong)|chung thuc (o|tai) (xa|ubnd|uy ban|phuong)( [a-z0-9]+){0,3} (roi|nam|truoc|bi|gio)) /,
  },
];
