import { describe, expect, it } from 'vitest';
import { latestReload } from './territory-view';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ([resolve, reject] = [res, rej]));
  return { promise, resolve, reject };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('latestReload', () => {
  it('applies only the latest reload: an older read finishing last does not put the older view back', async () => {
    const reads = [deferred<string>(), deferred<string>()];
    let n = 0;
    const applied: string[] = [];
    const reload = latestReload(
      () => reads[n++]!.promise,
      (v) => applied.push(v),
      () => {},
    );
    reload();
    reload();
    reads[1]!.resolve('second');
    await settle();
    reads[0]!.resolve('first');
    await settle();
    expect(applied).toEqual(['second']);
  });

  it('resolves a superseded call only once the latest one is applied: its caller reads a view at least as new', async () => {
    const reads = [deferred<string>(), deferred<string>()];
    let n = 0;
    const applied: string[] = [];
    const reload = latestReload(
      () => reads[n++]!.promise,
      (v) => applied.push(v),
      () => {},
    );
    const first = reload().then(() => [...applied]);
    reload();
    reads[0]!.resolve('first');
    await settle();
    reads[1]!.resolve('second');
    expect(await first).toEqual(['second']);
  });

  it('reports a failed read and keeps the view in place', async () => {
    const errors: unknown[] = [];
    const applied: string[] = [];
    const reload = latestReload(
      () => Promise.reject(new Error('database unreachable')),
      (v: string) => applied.push(v),
      (e) => errors.push(e),
    );
    await reload();
    expect(applied).toEqual([]);
    expect(errors).toHaveLength(1);
  });
});
