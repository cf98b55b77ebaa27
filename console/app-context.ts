import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Session } from './api.ts';
import { t, type Lang, type TextKey } from './i18n.ts';
import type { LiveHandler } from './live.ts';

export interface AppContext {
  lang: Lang;
  session: Session;
  /** Listens to the live stream while the view is shown; returns the function that stops listening. */
  onLive(fn: LiveHandler): () => void;
}

export const Ctx = createContext<AppContext | null>(null);

export function useApp(): AppContext & { tr: (k: TextKey) => string; canOperate: boolean } {
  const c = useContext(Ctx);
  if (!c) throw new Error('useApp outside the console');
  return { ...c, tr: (k) => t(c.lang, k), canOperate: c.session.role !== 'viewer' };
}
