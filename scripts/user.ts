/**
 * Accounts from the command line, for the first admin of a real deployment (no account exists until one
 * is made) and for recovery when no admin can sign in:
 *
 *   npm run user -- create <username> <admin|leader|dispatcher|duty> [--region CODE] [--name 显示名]
 *   npm run user -- reset-password <username>
 *   npm run user -- disable <username>      npm run user -- enable <username>
 *   npm run user -- list
 *
 * The password comes from PINGAN_PASSWORD, or from a prompt without echo when stdin is a terminal; never
 * from the command line (shell history, `ps`). It opens DATABASE_URL, else DATABASE_PATH (default ./data/pingan.db), itself,
 * migrating it like the server does, so it works before the server ever started. Every change is
 * audited with actor `cli`.
 */
import { sql } from 'drizzle-orm';
import { parseArgs } from 'node:util';
import { NewUserSchema, ROLE_VALUES } from '@/lib/admin/schemas';
import { MIN_PASSWORD_CHARS, passwordProblem } from '@/lib/auth/password-policy';
import { systemClock } from '@/lib/clock';
import { SqlAudit } from '@/server/audit/audit-append';
import { configureSqlAuditChain } from '@/server/audit/audit-key';
import { insertUser, setUserDisabled, setUserPasswordHash } from '@/server/auth/accounts';
import { hashPassword } from '@/server/auth/password';
import { openSqlDbFromEnv } from '@/server/db/system-of-record';

const USAGE = `usage:
  npm run user -- create <username> <${ROLE_VALUES.join('|')}> [--region CODE] [--name NAME]
  npm run user -- reset-password <username>
  npm run user -- disable <username>
  npm run user -- enable <username>
  npm run user -- list
The password is read from PINGAN_PASSWORD, or prompted for (no echo) when stdin is a terminal.
The database is DATABASE_PATH (default ./data/pingan.db).`;

class UsageError extends Error {}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** The server's password policy; DEMO and DEMO_PASSWORD are read as the server reads them. */
async function readPassword(username: string): Promise<string> {
  const fromEnv = process.env.PINGAN_PASSWORD;
  let password: string;
  if (fromEnv !== undefined && fromEnv !== '') password = fromEnv;
  else if (process.stdin.isTTY) {
    password = await promptHidden('password: ');
    if ((await promptHidden('again:    ')) !== password) throw new UsageError('the passwords differ');
  } else
    throw new UsageError(
      'no password: set PINGAN_PASSWORD, or run in a terminal to be prompted (stdin is not a terminal)',
    );
  const problem = passwordProblem(password, {
    username,
    isDemo: ['1', 'true'].includes(process.env.DEMO ?? ''),
    demoPassword: process.env.DEMO_PASSWORD ?? null,
  });
  if (problem) throw new UsageError(problem);
  return password;
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      region: { type: 'string' },
      name: { type: 'string' },
      worker: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, username, role] = positionals;
  if (values.help || !command) throw new UsageError('');
  const opened = await openSqlDbFromEnv();
  // The server's key, so the rows this adds continue a keyed chain (it refuses to write to one without it).
  const sqlDb = opened.sql;
  await configureSqlAuditChain(sqlDb, { auditKey: process.env.AUDIT_KEY || undefined });
  const clock = systemClock;
  const audit = new SqlAudit(sqlDb, clock);
  const cli = { actor: 'cli', role: 'admin', clientAddress: null, objectType: 'user', result: 'ok' } as const;
  const findId = async (name: string) => {
    const row = await sqlDb.get<{ id: number }>(sql`SELECT id FROM users WHERE username = ${name}`);
    if (!row) throw new UsageError(`no user ${name}`);
    return row.id;
  };
  try {
    switch (command) {
      case 'create': {
        const parsed = NewUserSchema.safeParse({
          username,
          role,
          password: 'x'.repeat(MIN_PASSWORD_CHARS), // checked on its own below, after the arguments
          displayName: values.name,
          regionCode: values.region,
          workerId: values.worker,
        });
        if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
        const u = parsed.data;
        if (await sqlDb.get(sql`SELECT 1 AS one FROM users WHERE username = ${u.username}`))
          throw new UsageError(`user ${u.username} exists (use reset-password)`);
        if (
          u.workerId !== null &&
          !(await sqlDb.get(sql`SELECT 1 AS one FROM workers WHERE id = ${u.workerId}`))
        )
          throw new UsageError(`no grid worker ${u.workerId}`);
        const hash = await hashPassword(await readPassword(u.username));
        await sqlDb.transaction(async (tx) => {
          await insertUser(tx, clock, { ...u, displayName: u.displayName || null }, hash);
          await audit.append(tx, {
            ...cli,
            action: 'user.create',
            objectId: u.username,
            after: {
              username: u.username,
              role: u.role,
              regionCode: u.regionCode,
              workerId: u.workerId,
              displayName: u.displayName ?? null,
            },
          });
        });
        console.log(`created ${u.role} ${u.username}${u.regionCode ? ` (region ${u.regionCode})` : ''}`);
        return;
      }
      case 'reset-password': {
        if (!username) throw new UsageError('which user?');
        const id = await findId(username);
        const hash = await hashPassword(await readPassword(username));
        await sqlDb.transaction(async (tx) => {
          await setUserPasswordHash(tx, clock, id, hash);
          await audit.append(tx, {
            ...cli,
            action: 'user.reset_password',
            objectId: username,
            after: { sessionsRevoked: true },
          });
        });
        console.log(`password of ${username} reset; its sessions are signed out`);
        return;
      }
      case 'disable':
      case 'enable': {
        if (!username) throw new UsageError('which user?');
        const id = await findId(username);
        const isDisabled = command === 'disable';
        await sqlDb.transaction(async (tx) => {
          await setUserDisabled(tx, clock, id, isDisabled);
          await audit.append(tx, {
            ...cli,
            action: `user.${command}`,
            objectId: username,
            after: { isDisabled },
          });
        });
        console.log(`${command}d ${username}`);
        return;
      }
      case 'list': {
        const rows = await sqlDb.all<{
          username: string;
          role: string;
          region_code: string | null;
          disabled_at: number | null;
        }>(sql`SELECT username, role, region_code, disabled_at FROM users ORDER BY id`);
        if (rows.length === 0) console.log('no accounts yet: npm run user -- create <username> admin');
        for (const r of rows)
          console.log(
            [r.username, r.role, r.region_code ?? '-', r.disabled_at ? 'disabled' : 'enabled'].join('\t'),
          );
        return;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } finally {
    await opened.close();
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    if (err.message) console.error(`error: ${err.message}`);
    console.error(USAGE);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
