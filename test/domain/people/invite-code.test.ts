/**
 * Known answers for the stored invitation code hash, computed outside the project, for every
 * hash version that stays valid (version 1: codes made before INVITE_CODE_PEPPER; version 2:
 * with it). A change of algorithm fails here, and would invalidate every outstanding code.
 */
import { describe, expect, it } from 'vitest';
import {
  CURRENT_HASH_VERSION,
  LEGACY_HASH_VERSION,
  hashInviteCode,
  normalizeInviteCode,
} from '../../../src/domain/people/index.js';

const PEPPER = 'pepper-for-known-answer-tests-0123456';

describe('invitation code hash (known answers)', () => {
  it('version 1 is HMAC-SHA256 keyed "cds-invite:" of the normalized code', () => {
    expect(LEGACY_HASH_VERSION).toBe(1);
    // printf %s ABC01XYZ | openssl dgst -sha256 -hmac 'cds-invite:'
    expect(hashInviteCode(normalizeInviteCode('abco-ixyz')!)).toBe(
      '0470dacbd58a8846882e58bcd9d36e87c3f85e385f35ecd231d0264aa3f1aec4',
    );
  });

  it('version 2 is HMAC-SHA256 keyed "cds-invite:<pepper>"', () => {
    expect(CURRENT_HASH_VERSION).toBe(2);
    // printf %s ABC01XYZ | openssl dgst -sha256 -hmac 'cds-invite:pepper-for-known-answer-tests-0123456'
    expect(hashInviteCode('ABC01XYZ', PEPPER)).toBe(
      'fbafd363606e44f9017adaaf49e3eb142ad8f09aebf0a0814cc28503361538b0',
    );
  });
});
