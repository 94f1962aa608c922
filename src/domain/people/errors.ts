import { DomainError, vnDateTimeText } from '../access.js';

/** Too many failed invitation attempts from one identity; try again after `retryAt`. */
export class RateLimitedError extends DomainError {
  override readonly name = 'RateLimitedError';
  readonly retryAt: Date;
  constructor(retryAt: Date) {
    super(
      `too many failed attempts; retry after ${retryAt.toISOString()}`,
      'domain.errors.rateLimited',
      {
        retryAt: vnDateTimeText(retryAt),
      },
    );
    this.retryAt = retryAt;
  }
}

export type InvitationProblem = 'malformed' | 'unknown' | 'expired' | 'used' | 'revoked';

/** The typed code cannot be redeemed; `reason` says why (all count as a failed attempt). */
export class InvitationError extends DomainError {
  override readonly name = 'InvitationError';
  readonly reason: InvitationProblem;
  /** Attempts left in the current window before the identity is rate-limited. */
  readonly attemptsLeft: number;
  constructor(reason: InvitationProblem, attemptsLeft: number) {
    super(`invitation code ${reason}`, `domain.errors.invitation.${reason}`, { attemptsLeft });
    this.reason = reason;
    this.attemptsLeft = attemptsLeft;
  }
}

/** The identity is already linked to another person: a code cannot move it. */
export class IdentityLinkedError extends DomainError {
  override readonly name = 'IdentityLinkedError';
  constructor() {
    super('identity already linked to another person', 'domain.errors.identityLinked');
  }
}

/**
 * Too many failed redemptions on a channel in the last hour: identities first seen in that
 * hour are paused (established identities are not).
 */
export class ChannelPausedError extends DomainError {
  override readonly name = 'ChannelPausedError';
  constructor(
    readonly channel: string,
    readonly failures: number,
  ) {
    super(`invitation redemptions paused on ${channel}`, 'domain.errors.channelPaused');
  }
}
