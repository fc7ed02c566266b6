/**
 * Creates an account outside demo mode (the first admin of a real deployment):
 *   PINGAN_PASSWORD=… npx tsx server/auth/create-user-cli.ts <username> <admin|leader|dispatcher|duty> [display name]
 * The password comes from the environment, never the command line (shell history, `ps`).
 */
import { systemClock } from '@/lib/clock';
import { openDatabase } from '../db/open-database';
import type { Role } from '../http/router';
import { AuditLog } from '../audit/audit-log';
import { ROLES, insertUser } from './accounts';
import { hashPassword } from './password';

const MIN_PASSWORD_CHARS = 8;

async function main(): Promise<void> {
  const [username, role, displayName] = process.argv.slice(2);
  const password = process.env.PINGAN_PASSWORD ?? '';
  if (!username || !role || !ROLES.includes(role as Role) || password.length < MIN_PASSWORD_CHARS) {
    console.error(
      'usage: PINGAN_PASSWORD=<8+ chars> tsx server/auth/create-user-cli.ts <username> <admin|leader|dispatcher|duty> [display name]',
    );
    process.exit(2);
  }
  const db = openDatabase(process.env.DATABASE_PATH ?? './data/pingan.db');
  const hash = await hashPassword(password);
  const audit = new AuditLog(db.$client, systemClock);
  db.$client
    .transaction(() => {
      insertUser(db.$client, systemClock, { username, role: role as Role, displayName }, hash);
      audit.append({
        actor: 'cli',
        role: 'admin',
        clientAddress: null,
        action: 'user.create',
        objectType: 'user',
        objectId: username,
        after: { username, role },
        result: 'ok',
      });
    })
    .immediate();
  db.$client.close();
  console.log(`created ${role} ${username}`);
}

void main();
