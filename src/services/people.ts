/**
 * Who is writing, and linking chat identities with invitation codes — the people side of the
 * domain as handlers use it, bound to the update's transaction and sender.
 */
import type { Logger } from 'pino';
import type { Audience } from '../core/feature.js';
import type { DbClient } from '../db/client.js';
import { AccessError, ValidationError } from '../domain/access.js';
import {
  ChannelPausedError,
  createLinkCode,
  redeemInvitation,
  registerGroup,
  setLocale,
  type ChosenLocale,
  type IdentityReachability,
  type RegisteredGroup,
  resolveIdentity,
  type RedeemResult,
  type ResolvedIdentity,
} from '../domain/people/index.js';

/** A reporting unit of the sender. */
export interface ReporterUnit {
  id: string;
  code: string;
  name: string;
  level: string;
}

export interface Sender {
  identity: ResolvedIdentity | null;
  /** Units the sender reports for (active reporter memberships), in membership order. */
  reporterUnits: ReporterUnit[];
  /** Whose commands the sender sees: everyone's, plus one per role held. */
  audiences: Audience[];
}

export interface PeopleService {
  /** The sender of this update (loaded once per update). */
  sender(): Promise<Sender>;
  /** Redeem an invitation code for the sender's identity. See redeemInvitation. */
  redeem(code: string, now: Date): Promise<RedeemResult>;
  /**
   * A code to link another platform to the sender's person, or null when the sender's identity
   * is not linked to anyone. @throws DomainError when the person holds no membership.
   */
  createLinkCode(now: Date): Promise<{ code: string; expiresAt: Date } | null>;
  /**
   * Register the group chat this update came from for a unit (the sender's own managed unit
   * when none is named). @throws DomainError (not a manager, unit out of scope, unknown unit,
   * not in a group).
   */
  registerGroup(unitCode: string | undefined, now: Date): Promise<RegisteredGroup>;
  /**
   * Store the sender's language (/lang) for their identity, and for their person when linked,
   * so it survives restarts and silence and reaches their proactive messages.
   */
  setLocale(locale: ChosenLocale, now: Date): Promise<void>;
}

/** Failed redemptions per hour per channel before new identities are paused (see config). */
export const DEFAULT_FAILURE_BUDGET = 100;

export interface InvitationSettings {
  /** INVITE_CODE_PEPPER (or the one generated in DATA_DIR). */
  pepper: string | undefined;
  failureBudget: number;
}

export async function loadSender(
  db: DbClient,
  channel: string,
  externalId: string,
): Promise<Sender> {
  return senderOf(await resolveIdentity(db, channel, externalId));
}

/** The handlers' view of a resolved identity (null: a citizen). */
export function senderOf(identity: ResolvedIdentity | null): Sender {
  const seen = new Set<string>();
  const reporterUnits: ReporterUnit[] = [];
  const audiences = new Set<Audience>(['everyone']);
  for (const m of identity?.memberships ?? []) {
    audiences.add(m.role);
    if (m.role !== 'reporter' || seen.has(m.unit.id)) continue;
    seen.add(m.unit.id);
    reporterUnits.push({
      id: m.unit.id,
      code: m.unit.code,
      name: m.unit.name,
      level: m.unit.level,
    });
  }
  return { identity, reporterUnits, audiences: [...audiences] };
}

export function createPeopleService(
  db: DbClient,
  who: {
    channel: string;
    userId: string;
    displayName?: string;
    chatId?: string;
    chatType?: 'private' | 'group';
  },
  memo: { sender?: Promise<Sender> },
  invitations: InvitationSettings,
  logger: Logger,
  /** Told when a defence fires (metrics), e.g. redemptions paused on a channel. */
  onSecurityEvent?: (event: 'invite_channel_paused', channel: string) => void,
  /**
   * Told what the sender lookup read of the identity's reachability (null: no identity), and
   * undefined when that is no longer known (the identity was just linked).
   */
  onSenderRead?: (state: IdentityReachability | null | undefined) => void,
): PeopleService {
  const pepper = invitations.pepper !== undefined ? { pepper: invitations.pepper } : {};
  return {
    setLocale: (locale, now) => setLocale(db, who.channel, who.userId, locale, now),
    sender() {
      memo.sender ??= loadSender(db, who.channel, who.userId).then((sender) => {
        onSenderRead?.(sender.identity?.identity ?? null);
        return sender;
      });
      return memo.sender;
    },
    async redeem(code, now) {
      memo.sender = undefined;
      onSenderRead?.(undefined);
      try {
        return await redeemInvitation(db, {
          code,
          channel: who.channel,
          externalId: who.userId,
          displayName: who.displayName ?? null,
          now,
          channelBudget: invitations.failureBudget,
          ...pepper,
        });
      } catch (err) {
        if (err instanceof ChannelPausedError) {
          // Someone is guessing codes with fresh identities: the operators must know.
          logger.error(
            { event: 'invite.channel_paused', channel: err.channel, failures: err.failures },
            'invitation redemptions by new identities paused on this channel',
          );
          onSecurityEvent?.('invite_channel_paused', err.channel);
        }
        throw err;
      }
    },
    async createLinkCode(now) {
      const identity = await db.identity.findUnique({
        where: { channel_externalId: { channel: who.channel, externalId: who.userId } },
      });
      if (!identity) return null;
      const { code, invitation } = await createLinkCode(db, {
        personId: identity.personId,
        now,
        ...pepper,
      });
      return { code, expiresAt: invitation.expiresAt };
    },
    async registerGroup(unitCode, now) {
      if (who.chatType !== 'group' || !who.chatId)
        throw new ValidationError('not a group chat', 'groups.errors.notGroup');
      const identity = await db.identity.findUnique({
        where: { channel_externalId: { channel: who.channel, externalId: who.userId } },
      });
      if (!identity) throw new AccessError('not linked');
      return registerGroup(db, {
        personId: identity.personId,
        channel: who.channel,
        chatId: who.chatId,
        ...(unitCode ? { unitCode } : {}),
        now,
      });
    },
  };
}
