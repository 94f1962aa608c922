/**
 * The language each user chose with /lang, kept in the database so it survives a restart and
 * any silence: per channel identity (channel + user id, citizens included; in a group chat it
 * is the user's, not the chat's), and on the person when the identity is linked to one — a
 * person's choice then applies on every one of their identities.
 */
import type { DomainDb } from '../access.js';
import { readSenderPrelude } from './members.js';

export type ChosenLocale = 'vi' | 'en';

const asLocale = (v: string | null | undefined): ChosenLocale | undefined =>
  v === 'vi' || v === 'en' ? v : undefined;

/**
 * The language of a channel user: their person's choice, else the identity's own, else none.
 * Read with the rest of what an update needs first (readSenderPrelude, one query).
 */
export async function localeOf(
  db: DomainDb,
  channel: string,
  userId: string,
): Promise<ChosenLocale | undefined> {
  const p = await readSenderPrelude(db, channel, userId);
  return chosenLocale(p.identity?.person.locale, p.ownLocale);
}

/** The person's choice, else the one made on the identity, else none. */
export function chosenLocale(
  person: string | null | undefined,
  own: string | null | undefined,
): ChosenLocale | undefined {
  return asLocale(person) ?? asLocale(own);
}

/** Record a user's choice on their identity, and on their person when linked. */
export async function setLocale(
  db: DomainDb,
  channel: string,
  userId: string,
  locale: ChosenLocale,
  at: Date,
): Promise<void> {
  await db.localeChoice.upsert({
    where: { channel_userId: { channel, userId } },
    create: { channel, userId, locale, updatedAt: at },
    update: { locale, updatedAt: at },
  });
  const identity = await db.identity.findUnique({
    where: { channel_externalId: { channel, externalId: userId } },
    select: { personId: true },
  });
  if (identity) await db.person.update({ where: { id: identity.personId }, data: { locale } });
}

/**
 * The language of each person for proactive messages: theirs, else the choice made on the
 * identity the message goes to. People without either are left out (the default applies).
 */
export async function localesOf(
  db: DomainDb,
  recipients: readonly { personId: string; channel: string; externalId: string }[],
): Promise<Map<string, ChosenLocale>> {
  const out = new Map<string, ChosenLocale>();
  if (recipients.length === 0) return out;
  const people = await db.person.findMany({
    where: { id: { in: [...new Set(recipients.map((r) => r.personId))] }, locale: { not: null } },
    select: { id: true, locale: true },
  });
  for (const p of people) {
    const l = asLocale(p.locale);
    if (l) out.set(p.id, l);
  }
  const rest = recipients.filter((r) => !out.has(r.personId));
  if (rest.length === 0) return out;
  // Few users ever choose: the table is small, a list of user ids is enough of a filter.
  const choices = await db.localeChoice.findMany({
    where: { userId: { in: [...new Set(rest.map((r) => r.externalId))] } },
    select: { channel: true, userId: true, locale: true },
  });
  const byIdentity = new Map(choices.map((c) => [`${c.channel}\u0000${c.userId}`, c.locale]));
  for (const r of rest) {
    const l = asLocale(byIdentity.get(`${r.channel}\u0000${r.externalId}`));
    if (l) out.set(r.personId, l);
  }
  return out;
}
