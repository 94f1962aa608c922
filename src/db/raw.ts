/**
 * Reads on the hot path through Prisma's driver adapter itself (@prisma/adapter-pg on
 * PostgreSQL, pglite-prisma-adapter embedded), the same adapter and pool the Prisma client
 * uses, without the client's request machinery around each statement: measured on PostgreSQL,
 * a small `$queryRaw` costs about 0.18 ms of CPU through the client and 0.05 ms through the
 * adapter. Used for the statement every update runs (who is writing: readSenderPrelude), outside
 * any transaction. Rows come back as `$queryRaw` returns them: one object per row, dates as
 * Date, int8 as bigint, numeric as Decimal, json parsed; a test holds the two paths equal.
 */
import {
  ColumnTypeEnum,
  isDriverAdapterError,
  type ArgType,
  type ColumnType,
  type SqlDriverAdapter,
  type SqlDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
} from '@prisma/driver-adapter-utils';
import { Prisma } from './generated/client.js';

/** Runs one read statement and returns its rows as objects (as `$queryRaw` does). */
export type ReadStatement = <T>(sql: Prisma.Sql) => Promise<T[]>;

export interface AdapterReader {
  read: ReadStatement;
  /** Lets go of the adapter (the pool or the PGlite instance stays with its owner). */
  dispose(): Promise<void>;
}

/** A reader over the adapter `factory` makes (connected on first use). */
export function readerThroughAdapter(factory: SqlDriverAdapterFactory): AdapterReader {
  let adapter: Promise<SqlDriverAdapter> | undefined;
  const connected = () => {
    if (!adapter) {
      const opening = factory.connect();
      adapter = opening;
      // A failed connection is tried again by the next read.
      opening.catch(() => {
        if (adapter === opening) adapter = undefined;
      });
    }
    return adapter;
  };
  return {
    async read<T>(sql: Prisma.Sql): Promise<T[]> {
      const a = await connected();
      const params = sql.values.map(paramOf);
      const result = await a.queryRaw({
        sql: sql.text,
        args: params.map((p) => p.arg),
        argTypes: params.map((p) => p.type),
      });
      return rowsOf(result) as T[];
    },
    async dispose() {
      const a = adapter;
      adapter = undefined;
      if (a) await (await a.catch(() => undefined))?.dispose();
    },
  };
}

/** A statement's parameter and its type as the adapter takes them (the values the hot path passes). */
function paramOf(value: unknown): { arg: unknown; type: ArgType } {
  const of = (scalarType: ArgType['scalarType']) => ({
    arg: value,
    type: { scalarType, arity: 'scalar' } as ArgType,
  });
  if (value === null || value === undefined) return { ...of('unknown'), arg: null };
  if (typeof value === 'string') return of('string');
  if (typeof value === 'number') return of(Number.isInteger(value) ? 'int' : 'float');
  if (typeof value === 'boolean') return of('boolean');
  if (value instanceof Date) return of('datetime');
  throw new TypeError(`unsupported parameter type for an adapter read: ${typeof value}`);
}

/** One value as Prisma's `$queryRaw` returns it for its column type. */
function valueOf(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case ColumnTypeEnum.Int32:
      return Math.trunc(Number(value));
    case ColumnTypeEnum.Int64:
      return BigInt(typeof value === 'number' ? Math.trunc(value) : (value as string));
    case ColumnTypeEnum.Numeric:
      return new Prisma.Decimal(value as string);
    case ColumnTypeEnum.Boolean:
      return typeof value === 'boolean'
        ? value
        : typeof value === 'number'
          ? value === 1
          : value === 'true' || value === '1';
    case ColumnTypeEnum.Json:
      return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
    case ColumnTypeEnum.Date:
    case ColumnTypeEnum.DateTime:
      return new Date(value as string);
    case ColumnTypeEnum.Time:
      return new Date(`1970-01-01T${value as string}Z`);
    case ColumnTypeEnum.Int32Array:
    case ColumnTypeEnum.Int64Array:
    case ColumnTypeEnum.NumericArray:
    case ColumnTypeEnum.BooleanArray:
    case ColumnTypeEnum.JsonArray:
    case ColumnTypeEnum.DateArray:
    case ColumnTypeEnum.DateTimeArray:
    case ColumnTypeEnum.TimeArray: {
      const element = (type - 64) as ColumnType;
      return (value as unknown[]).map((v) => valueOf(v, element));
    }
    default:
      return value;
  }
}

/** The result set as `$queryRaw` rows. */
export function rowsOf(result: SqlResultSet): Record<string, unknown>[] {
  const { columnNames, columnTypes, rows } = result;
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < columnNames.length; i++)
      out[columnNames[i]!] = valueOf(row[i], columnTypes[i]!);
    return out;
  });
}

/** How long an interactive transaction may wait to start and run (Prisma's options). */
export interface TransactionOptions {
  maxWait?: number;
  timeout?: number;
}

/** Opens an interactive transaction whose raw statements run on the adapter's own transaction. */
export type RunTransaction = <T>(
  fn: (tx: Prisma.TransactionClient) => Promise<T>,
  options?: TransactionOptions,
) => Promise<T>;

/** The adapter transaction a Prisma interactive transaction opened, while it is open. */
interface Opened {
  tx?: Transaction;
  open: boolean;
}

/**
 * The statement by which a `transaction` call claims the adapter transaction Prisma opened for
 * it. The wrapped adapter transaction answers it itself: it never reaches the database.
 */
const CLAIM = '/* cds-bot: claim the adapter transaction */ SELECT $1';

/**
 * Prisma interactive transactions whose `$queryRaw` and `$executeRaw` statements run on the
 * driver adapter's transaction underneath — the same connection and transaction Prisma's own
 * statements in it use, without the client's request machinery around each (about 0.13 ms of
 * CPU a statement on PostgreSQL, see bench:webhook). Model queries go through Prisma as before.
 *
 * How: the PrismaClient is given `factory`, which wraps the real one and every transaction it
 * starts. A `transaction` call's first statement, sent through Prisma, is a claim carrying a
 * token of its own; the wrapped adapter transaction that receives it answers it without the
 * database and is, from then on, that call's. (Prisma gives the adapter nothing else that tells
 * whose transaction it starts; an AsyncLocalStorage would, but it puts a hook on every promise
 * of the process, which costs more than it saves.) Once Prisma commits or rolls the transaction
 * back, statements go back to Prisma's path (which refuses them), never to a connection returned
 * to the pool. A statement with a parameter the adapter path does not convert takes Prisma's
 * path too; a failed statement throws what Prisma throws for a raw query (P2010).
 */
export function transactionsThroughAdapter(
  inner: SqlDriverAdapterFactory,
  prisma: () => { $transaction: PrismaTransaction },
): {
  factory: SqlDriverAdapterFactory;
  transaction: RunTransaction;
  /** Raw statements in these transactions so far, by the path they took. */
  routed: Routed;
} {
  const claims = new Map<string, Opened>();
  let nextClaim = 0;
  const routed: Routed = { adapter: 0, prisma: 0 };
  const bound = (target: object, prop: string | symbol): unknown => {
    const value: unknown = Reflect.get(target, prop);
    return typeof value === 'function'
      ? (value as (...a: unknown[]) => unknown).bind(target)
      : value;
  };
  /** The adapter's transaction, answering claims and closing its claimant's path at the end. */
  const claimable = (tx: Transaction): Transaction => {
    let owner: Opened | undefined;
    return new Proxy(tx, {
      get(target, prop) {
        if (prop === 'commit' || prop === 'rollback')
          return () => {
            if (owner) owner.open = false;
            return target[prop]();
          };
        if (prop === 'executeRaw')
          return (query: SqlQuery) => {
            const claimant = query.sql === CLAIM ? claims.get(String(query.args[0])) : undefined;
            if (!claimant) return target.executeRaw(query);
            claims.delete(String(query.args[0]));
            owner = claimant;
            // The claimant's statements go to the adapter's transaction itself: only Prisma's
            // commit and rollback need this wrapper.
            claimant.tx = target;
            return Promise.resolve(0);
          };
        return bound(target, prop);
      },
    });
  };
  const factory: SqlDriverAdapterFactory = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect() {
      const adapter = await inner.connect();
      const startTransaction: SqlDriverAdapter['startTransaction'] = async (isolationLevel) =>
        claimable(await adapter.startTransaction(isolationLevel));
      return new Proxy(adapter, {
        get: (target, prop) =>
          prop === 'startTransaction' ? startTransaction : bound(target, prop),
      });
    },
  };
  const transaction: RunTransaction = (fn, options) => {
    const opened: Opened = { open: true };
    const token = String(nextClaim++);
    claims.set(token, opened);
    return prisma()
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe(CLAIM, token);
        return fn(rawThrough(tx, opened, routed));
      }, options)
      .finally(() => claims.delete(token));
  };
  return { factory, transaction, routed };
}

/** Counts of raw statements by the path they took. */
export interface Routed {
  adapter: number;
  prisma: number;
}

type PrismaTransaction = <T>(
  fn: (tx: Prisma.TransactionClient) => Promise<T>,
  options?: TransactionOptions,
) => Promise<T>;

/** The statement a `$queryRaw`/`$executeRaw` call was given (tagged template or Prisma.sql). */
function statementOf(args: unknown[]): Prisma.Sql | undefined {
  const [first, ...rest] = args;
  if (first instanceof Prisma.Sql) return rest.length === 0 ? first : undefined;
  if (Array.isArray(first) && 'raw' in first)
    return Prisma.sql(first as unknown as TemplateStringsArray, ...rest);
  return undefined;
}

/** `tx` with its raw statements on the adapter transaction `opened`, while that is open. */
function rawThrough(
  tx: Prisma.TransactionClient,
  opened: Opened,
  routed: Routed,
): Prisma.TransactionClient {
  const through =
    (kind: '$queryRaw' | '$executeRaw') =>
    (...args: unknown[]): Promise<unknown> => {
      const viaPrisma = () => {
        routed.prisma++;
        return (tx[kind] as unknown as (...a: unknown[]) => Promise<unknown>)(...args);
      };
      const sql = statementOf(args);
      const adapterTx = opened.tx;
      if (!sql || !adapterTx || !opened.open) return viaPrisma();
      let params: { arg: unknown; type: ArgType }[];
      try {
        params = sql.values.map(paramOf);
      } catch {
        return viaPrisma();
      }
      routed.adapter++;
      const query = {
        sql: sql.text,
        args: params.map((p) => p.arg),
        argTypes: params.map((p) => p.type),
      };
      const run =
        kind === '$queryRaw' ? adapterTx.queryRaw(query).then(rowsOf) : adapterTx.executeRaw(query);
      return run.catch((err: unknown) => {
        throw asPrismaError(err);
      });
    };
  const queryRaw = through('$queryRaw');
  const executeRaw = through('$executeRaw');
  return new Proxy(tx, {
    get(target, prop) {
      if (prop === '$queryRaw') return queryRaw;
      if (prop === '$executeRaw') return executeRaw;
      return Reflect.get(target, prop) as unknown;
    },
  });
}

/** A driver's error as Prisma reports a failed raw query (P2010); anything else unchanged. */
function asPrismaError(err: unknown): unknown {
  if (!isDriverAdapterError(err)) return err;
  const cause = err.cause as { originalCode?: string; originalMessage?: string };
  return new Prisma.PrismaClientKnownRequestError(
    `Raw query failed. Code: \`${cause.originalCode ?? 'N/A'}\`. Message: \`${cause.originalMessage ?? err.message}\``,
    {
      code: 'P2010',
      clientVersion: Prisma.prismaVersion.client,
      meta: { driverAdapterError: err },
    },
  );
}
