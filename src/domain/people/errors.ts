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
