import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from './api.ts';

/** Loads with `load` when `deps` change; `reload` again on demand (live events), at most every `minGapMs`. */
export function useData<T>(load: () => Promise<T>, deps: unknown[], minGapMs = 300) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | Error | undefined>(undefined);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  const run = useCallback(() => {
    loadRef
      .current()
      .then((d) => {
        setData(d);
        setError(undefined);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e : new Error(String(e))));
  }, []);
  // the caller names what the load depends on
  useEffect(run, deps);
  useEffect(() => () => clearTimeout(pending.current), []);
  const reload = useCallback(() => {
    // a burst of events (a storm of health changes) is one reload
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      run();
    }, minGapMs);
  }, [run, minGapMs]);
  return { data, error, reload, run };
}
