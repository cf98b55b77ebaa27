import type { ComponentChildren } from 'preact';
import { useApp } from './app-context.ts';
import { ApiError } from './api.ts';
import { errorText, type TextKey } from './i18n.ts';

export function StatusBadge({ status }: { status: string }) {
  const { tr } = useApp();
  return <span class={`badge status-${status}`}>{tr(`status_${status}` as TextKey)}</span>;
}

export function SeverityBadge({ severity }: { severity: string }) {
  const { tr } = useApp();
  return <span class={`badge sev-${severity}`}>{tr(`sev_${severity}` as TextKey)}</span>;
}

export function ErrorLine({ error }: { error: Error | undefined }) {
  const { lang, tr } = useApp();
  if (!error) return null;
  const text = error instanceof ApiError ? errorText(lang, error.code, error.message) : error.message;
  return (
    <p class="error" role="alert">
      {tr('error')}: {text}
    </p>
  );
}

export function Card({ title, children, wide }: { title: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <section class={wide ? 'card wide' : 'card'}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** Tables scroll inside their card on a phone, never the page. */
export function Table({ children }: { children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table>{children}</table>
    </div>
  );
}
