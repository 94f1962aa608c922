/**
 * What handlers get in `ctx.services`: narrow domain services bound to the update's database
 * transaction and sender — never the database, the whole configuration or the state store.
 * Built per update by `createServiceFactory` (wired in src/app.ts); caches (indicator
 * catalogue, schedule, search index) live in the factory and follow the data versions, read
 * at most once per update.
 */
import type { Logger } from 'pino';
import type { CitizenService, MissKind } from '../citizens/service.js';
import type { InboundMessage } from '../core/message.js';
import type { UnitName } from '../report-parser/canonical.js';
import type { DbClient } from '../db/client.js';
import type { ReadStatement } from '../db/raw.js';
import {
  VersionedCache,
  readCatalogue,
  readSchedule,
  readUnitNames,
  type Catalogue,
  type ScheduleInForce,
} from './catalogue.js';
import {
  DEFAULT_FAILURE_BUDGET,
  createPeopleService,
  senderOf,
  type InvitationSettings,
  type PeopleService,
  type Sender,
} from './people.js';
import { createSubmissionsService, type SubmissionsService } from './submissions.js';
import { createDashboardService, type DashboardService } from './dashboard.js';
import { createManagersService, type ManagersService } from './managers.js';
import type { DeliveryQueue } from '../delivery/queue.js';
import type { IdentityReachability } from '../domain/people/reachability.js';
import { chosenLocale, type ChosenLocale } from '../domain/people/locale.js';
import { readSenderPrelude } from '../domain/people/members.js';
import { readVersions, type DataVersions } from '../domain/versions.js';
import type { Schedule } from '../domain/schedule.js';

export type { Catalogue, ReportIndicator } from './catalogue.js';
export type { PeopleService, ReporterUnit, Sender } from './people.js';
export type { SubmissionsService } from './submissions.js';
export type { DashboardService } from './dashboard.js';
export type {
  BatchItem,
  BatchReport,
  BroadcastView,
  ManagersService,
  ScopedUnit,
} from './managers.js';

export interface CatalogueService {
  /** The indicator catalogue in force (cached; reloaded after an import on any instance). */
  get(): Promise<Catalogue>;
}

export interface ScheduleService {
  /** The reporting schedule in force (cached; reloaded after an import on any instance). */
  get(): Promise<Schedule>;
}

export interface UnitsService {
  /**
   * The units in force, code and official name (cached; reloaded after a units import), for
   * recognising a unit named in a staff message.
   */
  names(): Promise<readonly UnitName[]>;
}

export interface CitizensService {
  /** The public-service search, rebuilt first when the catalogue or synonyms changed. */
  index(): Promise<CitizenService>;
  /** Count a question that found nothing (anonymously), in the update's transaction. */
  recordUnanswered(text: string, at: Date): Promise<void>;
  /** Record a search miss (masked question, what was shown; no user id); returns its id. */
  recordMiss(
    miss: { kind: MissKind; question: string; shown: readonly string[] },
    at: Date,
  ): Promise<string | undefined>;
  /** What the person opened next after a miss. */
  recordPick(missId: string, code: string, at: Date): Promise<void>;
}

export interface AppServices {
  people: PeopleService;
  catalogue: CatalogueService;
  units: UnitsService;
  schedule: ScheduleService;
  submissions: SubmissionsService;
  citizens: CitizensService;
  dashboard: DashboardService;
  managers: ManagersService;
}

export interface ServiceFactoryDeps {
  /** The root client (caches load through it, outside any transaction). */
  root: DbClient;
  /**
   * The sender's read that starts every update, outside any transaction, through the driver
   * adapter (src/db/raw.ts); default: the root client's `$queryRaw`.
   */
  read?: ReadStatement;
  citizens: CitizenService;
  logger: Logger;
  /** Told when a defence fires (metrics). */
  onSecurityEvent?: (event: 'invite_channel_paused', channel: string) => void;
  /** The server's public base URL (PUBLIC_URL, else the address it listens on), for links. */
  baseUrl?: () => string | undefined;
  /** Invitation code pepper and the per-channel failure budget (see PeopleService). */
  invitations?: InvitationSettings;
  /** The delivery queue once started (proactive messages); undefined without jobs. */
  delivery?: () => DeliveryQueue | undefined;
  /** The citizens' index build started at start-up; questions wait for it (and retry it). */
  citizensReady?: Promise<void>;
  /** The Telegram bot's username (getMe at start), for deep links; undefined without Telegram. */
  telegramUsername?: () => string | undefined;
  /** What an update's sender lookup read of the identity's reachability (see people.ts). */
  onSenderRead?: (
    channel: string,
    userId: string,
    state: IdentityReachability | null | undefined,
  ) => void;
}

export interface ServiceFactory {
  /** The services of one update (`msg` keys the once-per-update memo). */
  (db: DbClient, msg: Pick<InboundMessage, 'channel' | 'userId' | 'displayName'>): AppServices;
  /** Services outside any update (scheduled jobs, the dashboard): a fresh memo each call. */
  standalone(): Omit<AppServices, 'people'>;
  /** Load the caches now and report a stored schedule that no longer validates. */
  warm(): Promise<void>;
  /**
   * The language the sender chose, read first thing in an update with everything else the
   * update will need of its sender and the data versions (one query; see readSenderPrelude):
   * the update's services then use what it read.
   */
  localeOf(
    msg: Pick<InboundMessage, 'channel' | 'userId' | 'chatType'>,
  ): Promise<ChosenLocale | undefined>;
}

/**
 * The service factory. Versions are read once per update (the first service that needs a
 * cache reads them); caches reload only when their version changed.
 */
export function createServiceFactory(deps: ServiceFactoryDeps): ServiceFactory {
  const catalogueCache = new VersionedCache(readCatalogue);
  const scheduleCache = new VersionedCache(async (db): Promise<ScheduleInForce> => {
    const s = await readSchedule(db);
    if (s.problem)
      deps.logger.error(
        { problem: s.problem },
        'stored schedule invalid: the default schedule is in force',
      );
    return s;
  });
  const unitsCache = new VersionedCache(readUnitNames);
  let citizensVersion: string | undefined;
  let citizensLoading: Promise<void> | undefined;
  let citizensReady = deps.citizensReady;
  /** The start-up build done; if it failed, built again now (a failure reaches the handler). */
  const citizensBuilt = async () => {
    const ready = citizensReady;
    if (!ready) return;
    try {
      await ready;
    } catch {
      if (citizensReady === ready) citizensReady = deps.citizens.load();
      await citizensReady;
    }
    citizensReady = undefined;
  };

  type Memo = { versions?: Promise<DataVersions>; sender?: Promise<Sender> };
  const memos = new WeakMap<object, Memo>();

  const build = (memo: Memo, db: DbClient) => {
    // Through the update's own client: on PGlite a query on another client would wait for the
    // update's transaction to end.
    const versions = () => (memo.versions ??= readVersions(db));
    const catalogue: CatalogueService = {
      async get() {
        const v = await versions();
        return catalogueCache.get(db, v.get('indicators') ?? '');
      },
    };
    const schedule: ScheduleService = {
      async get() {
        const v = await versions();
        return (await scheduleCache.get(db, v.get('schedule') ?? '')).schedule;
      },
    };
    const citizens: CitizensService = {
      async index() {
        await citizensBuilt();
        const v = await versions();
        const wanted = `${v.get('services') ?? ''}|${v.get('synonyms') ?? ''}`;
        if (citizensVersion === undefined) citizensVersion = wanted;
        if (wanted !== citizensVersion) {
          citizensLoading ??= deps.citizens.reload().then(
            () => {
              citizensVersion = wanted;
              citizensLoading = undefined;
            },
            (err: unknown) => {
              citizensLoading = undefined;
              throw err;
            },
          );
          await citizensLoading;
        }
        return deps.citizens;
      },
      recordUnanswered: (text, at) => deps.citizens.recordUnanswered(text, at, db),
      recordMiss: (miss, at) => deps.citizens.recordMiss(miss, at, db),
      recordPick: (id, code, at) => deps.citizens.recordPick(id, code, at, db),
    };
    const units: UnitsService = {
      async names() {
        const v = await versions();
        return unitsCache.get(db, v.get('units') ?? '');
      },
    };
    return {
      catalogue,
      schedule,
      units,
      citizens,
      // Outside the update's transaction, reads go through the driver adapter (raw.ts).
      submissions: createSubmissionsService(db, db === deps.root ? deps.read : undefined),
      dashboard: createDashboardService(db, deps.baseUrl ?? (() => undefined)),
      managers: createManagersService(
        db,
        deps.delivery ?? (() => undefined),
        deps.telegramUsername,
      ),
    };
  };

  const memoOf = (msg: object): Memo => {
    let memo = memos.get(msg);
    if (!memo) {
      memo = {};
      memos.set(msg, memo);
    }
    return memo;
  };
  // One-to-one chats only: the reply there marks the sender reachable (see app.ts).
  const senderReadHook = (msg: Pick<InboundMessage, 'channel' | 'userId' | 'chatType'>) =>
    deps.onSenderRead && msg.channel !== undefined && msg.chatType !== 'group'
      ? (state: IdentityReachability | null | undefined) =>
          deps.onSenderRead!(msg.channel, msg.userId, state)
      : undefined;

  const factory = ((
    db: DbClient,
    msg: Pick<InboundMessage, 'channel' | 'userId' | 'displayName' | 'chatId' | 'chatType'>,
  ) => {
    const memo = memoOf(msg);
    return {
      ...build(memo, db),
      people: createPeopleService(
        db,
        msg.channel === undefined
          ? { channel: '', userId: '' }
          : {
              channel: msg.channel,
              userId: msg.userId,
              displayName: msg.displayName,
              chatId: msg.chatId,
              chatType: msg.chatType,
            },
        memo,
        deps.invitations ?? { pepper: undefined, failureBudget: DEFAULT_FAILURE_BUDGET },
        deps.logger,
        deps.onSecurityEvent,
        senderReadHook(msg),
      ),
    };
  }) as ServiceFactory;
  factory.localeOf = async (msg) => {
    const m = memoOf(msg);
    const prelude = readSenderPrelude(deps.root, msg.channel, msg.userId, deps.read);
    const onRead = senderReadHook(msg);
    const sender = prelude.then(({ identity }) => {
      onRead?.(identity?.identity ?? null);
      return senderOf(identity);
    });
    const versions = prelude.then((p) => p.versions as DataVersions);
    // Awaited by the update's services, or dropped below when the read failed.
    sender.catch(() => undefined);
    versions.catch(() => undefined);
    m.sender ??= sender;
    m.versions ??= versions;
    try {
      const p = await prelude;
      return chosenLocale(p.identity?.person.locale, p.ownLocale);
    } catch (err) {
      // The update's services read for themselves (and meet the outage there).
      if (m.sender === sender) m.sender = undefined;
      if (m.versions === versions) m.versions = undefined;
      throw err;
    }
  };
  factory.standalone = () => build({}, deps.root);
  factory.warm = async () => {
    const v = await readVersions(deps.root);
    citizensVersion = `${v.get('services') ?? ''}|${v.get('synonyms') ?? ''}`;
    await Promise.all([
      catalogueCache.get(deps.root, v.get('indicators') ?? ''),
      scheduleCache.get(deps.root, v.get('schedule') ?? ''),
    ]);
  };
  return factory;
}
