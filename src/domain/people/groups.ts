/**
 * Group chats registered for a unit (issue 14): a manager types `/nhomnay [unit]` in a group
 * to let broadcasts for the unit — their own, or one in their scope — reach that group. One
 * group serves one unit; registering it again moves it. A Telegram group that becomes a
 * supergroup keeps its registration under the new chat id.
 */
import {
  AccessError,
  ValidationError,
  activeMemberships,
  canManageUnit,
  findUnitByCode,
  type DomainDb,
} from '../access.js';
import { audit } from '../audit.js';

export interface RegisteredGroup {
  unitId: string;
  unitCode: string;
  unitName: string;
  /** The unit the group served before, when it was registered for another one. */
  previousUnitId?: string;
}

/**
 * Register `chatId` for `unitCode`, or for the person's own managed unit when it is the only
 * one. @throws AccessError when the person manages neither; ValidationError when the unit must
 * be named; NotFoundError for an unknown unit code.
 */
export async function registerGroup(
  db: DomainDb,
  input: { personId: string; channel: string; chatId: string; unitCode?: string; now: Date },
): Promise<RegisteredGroup> {
  const actor = { personId: input.personId };
  let unit: { id: string; code: string; name: string };
  if (input.unitCode) {
    unit = await findUnitByCode(db, input.unitCode, input.now);
  } else {
    const managed = (await activeMemberships(db, input.personId)).filter(
      (m) => m.role === 'manager' || m.role === 'admin',
    );
    const ids = [...new Set(managed.map((m) => m.unitId))];
    if (ids.length === 0) throw new AccessError('not a manager');
    if (ids.length > 1)
      throw new ValidationError('several units: name one', 'groups.errors.nameUnit');
    unit = await db.unit.findUniqueOrThrow({
      where: { id: ids[0] },
      select: { id: true, code: true, name: true },
    });
  }
  if (!(await canManageUnit(db, actor, unit.id))) throw new AccessError('unit out of scope');
  const key = { channel_chatId: { channel: input.channel, chatId: input.chatId } };
  const before = await db.chatGroup.findUnique({ where: key });
  await db.chatGroup.upsert({
    where: key,
    create: {
      channel: input.channel,
      chatId: input.chatId,
      unitId: unit.id,
      registeredBy: input.personId,
      registeredAt: input.now,
    },
    update: { unitId: unit.id, registeredBy: input.personId, registeredAt: input.now },
  });
  await audit(db, {
    actor,
    action: 'group.register',
    entity: 'chat_group',
    entityId: `${input.channel}:${input.chatId}`,
    data: { unit: unit.code, ...(before ? { previousUnitId: before.unitId } : {}) },
    at: input.now,
  });
  return {
    unitId: unit.id,
    unitCode: unit.code,
    unitName: unit.name,
    ...(before && before.unitId !== unit.id ? { previousUnitId: before.unitId } : {}),
  };
}

/** A group became a supergroup (Telegram `migrate_to_chat_id`): keep its registration. */
export async function moveGroupChat(
  db: DomainDb,
  channel: string,
  fromChatId: string,
  toChatId: string,
): Promise<boolean> {
  const { count } = await db.chatGroup.updateMany({
    where: { channel, chatId: fromChatId },
    data: { chatId: toChatId },
  });
  if (count > 0)
    await audit(db, {
      actor: 'system',
      action: 'group.migrate',
      entity: 'chat_group',
      entityId: `${channel}:${toChatId}`,
      data: { from: fromChatId },
    });
  return count > 0;
}

/** The group chats registered for these units (broadcast targets). */
export async function groupChatsOf(
  db: DomainDb,
  unitIds: readonly string[],
): Promise<{ channel: string; chatId: string; unitId: string }[]> {
  return db.chatGroup.findMany({
    where: { unitId: { in: [...unitIds] } },
    select: { channel: true, chatId: true, unitId: true },
    orderBy: [{ unitId: 'asc' }, { channel: 'asc' }, { chatId: 'asc' }],
  });
}
