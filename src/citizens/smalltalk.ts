import { tokenize } from './lexicon.js';

/**
 * Telling a question about a procedure from small talk, and an unanswered question that asks
 * for a procedure (one outside our catalogue: answer "not in our list" with the national
 * portal's search) from one about something else altogether (bus times, a neighbour's dog).
 */

/** Words of greetings, thanks, farewells and reactions: a message made only of these is small talk. */
const SOCIAL_WORDS = new Set(
  (
    'xin chao chao hello hi hey alo a ad admin ban bot oi nhe nha a ah u uh um ok oke okay vang da ' +
    'cam on cmon thanks thank you tks thx nhieu lam qua tam biet bye hen gap lai chuc ngay tot lanh ' +
    'ngu ngon buoi sang trua chieu toi vui ve haha hihi hehe kkk lol em anh chi minh toi co ai ' +
    'o do khong ko day nua the vay gioi hay tuyet voi rat nam moi mung ' +
    'yes no good great nice love'
  ).split(' '),
);

/** Questions to the bot about itself or everyday chat. */
const SMALL_TALK_PATTERNS: readonly RegExp[] = [
  / (ban|bot|em) (la|ten) (ai|gi) /,
  / (ban|bot|em) la (nguoi|may|robot) /,
  / (ban|bot|em) bao nhieu tuoi /,
  / (ban|bot) co biet (noi dua|hat|yeu) /,
  / (khoe|on) (khong|ko) /,
  / an com chua /,
  / (buon|chan|met) qua /,
  / (noi dua|ke chuyen|lam tho) /,
  / co ai (o do|khong|day) /,
  / chuc mung /,
  / (ban|bot|em|ad) (oi )?(da )?co (nguoi yeu|ny|ban gai|ban trai|vo|chong) (chua|khong|ko) /,
];

/** Small talk: nothing but greetings and reactions, or a question to the bot about itself. */
export function isSmallTalk(text: string): boolean {
  const tokens = tokenize(text);
  if (tokens.length === 0) return text.trim() !== '';
  if (tokens.every((t) => SOCIAL_WORDS.has(t))) return true;
  const phrase = ` ${tokens.join(' ')} `;
  return SMALL_TALK_PATTERNS.some((p) => p.test(phrase));
}

/** Words that make an unanswered question a request for some administrative procedure. */
const PROCEDURE_CUES =
  / (thu tuc|giay phep|cap phep|xin phep|dang ky|chung chi|chung nhan|ho so|giay to|cap giay|cap the|xin giay|xin cap|le phi|visa|thi thuc|hanh nghe|nhan hieu|ban quyen|sang che|nghia vu|cong chung|xet tuyen|nhap hoc|mien) /;

/** An unanswered question that asks how to get a permit, a registration, a certificate… */
export function asksForProcedure(text: string): boolean {
  return PROCEDURE_CUES.test(` ${tokenize(text).join(' ')} `);
}
