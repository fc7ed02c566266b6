'use client';

import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from '../dispatch/api';

/** GET `path` now and on `reload()`; `error` holds the server's message (already Chinese). */
export function useAdminData<T>(path: string) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<number | null>(null);
  const reload = useCallback(() => {
    void api<T>(path)
      .then((d) => {
        setData(d);
        setError(null);
        setStatus(200);
      })
      .catch((e: Error) => {
        setError(e.message);
        setStatus(e instanceof ApiError ? e.status : null);
      });
  }, [path]);
  useEffect(reload, [reload]);
  return { data, error, status, reload };
}

/** Runs an admin action; resolves to the server's error message, or null when it succeeded. */
export async function act(path: string, method: string, body?: unknown): Promise<string | null> {
  try {
    await api(path, { method, body });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
