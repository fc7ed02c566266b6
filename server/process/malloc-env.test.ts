import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MALLOC_ENV, missingMallocEnv } from './malloc-env';

const ROOT = path.resolve(import.meta.dirname, '../..');
const settings = Object.entries(MALLOC_ENV).map(([k, v]) => `${k}=${v}`);

describe('malloc settings', () => {
  it('are what every way of starting the server sets', () => {
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    for (const name of ['dev', 'start', 'demo']) {
      const line = scripts[name]!.slice(scripts[name]!.lastIndexOf('&&') + 1);
      for (const s of settings) expect(line, `npm run ${name}`).toContain(`${s} `);
    }
    for (const unit of ['pingan-wall.service', 'pingan-wall@.service']) {
      const lines = fs.readFileSync(path.join(ROOT, 'deploy', unit), 'utf8').split('\n');
      for (const s of settings) expect(lines, unit).toContain(`Environment=${s}`);
    }
  });

  it('names what a process started without, and counts an operator’s own value as set', () => {
    if (process.platform !== 'linux') return;
    expect(missingMallocEnv({})).toEqual(settings);
    expect(missingMallocEnv({ MALLOC_ARENA_MAX: '4' })).toEqual([settings[1]]);
    expect(missingMallocEnv({ ...MALLOC_ENV })).toEqual([]);
  });
});
