// The real history worker, except that its first start dies 300 ms in (as an out-of-memory or a native fault
// would end it): the marker file named by PINGAN_TEST_HISTORY_DIE_ONCE is removed as it goes, so the restart
// lives.
import fs from 'node:fs';
import process from 'node:process';
import { setTimeout } from 'node:timers';

const marker = process.env.PINGAN_TEST_HISTORY_DIE_ONCE;
const dies = marker && fs.existsSync(marker);
if (dies) fs.rmSync(marker);
await import('../../server/history/history-worker.mjs');
if (dies) setTimeout(() => process.exit(3), 300);
