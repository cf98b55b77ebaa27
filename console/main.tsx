import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, forgetToken, savedToken, saveToken, type Session, whenExpired } from './api.ts';
import { Ctx, type AppContext } from './app-context.ts';
import { errorText, initialLang, type Lang, rememberLang, t } from './i18n.ts';
import { followLive, type LiveHandler, type LiveState } from './live.ts';
import { Alerts } from './views/alerts.tsx';
import { DevicePage, Devices } from './views/devices.tsx';
import { Overview } from './views/overview.tsx';
import { Redemptions } from './views/redemptions.tsx';
import { Reports } from './views/reports.tsx';
import { Tokens } from './views/tokens.tsx';
import { Members } from './views/members.tsx';
import { Cloud } from './views/cloud.tsx';
import { Access } from './views/access.tsx';
import { GroupBuys } from './views/group-buys.tsx';
import { Doctor } from './views/doctor.tsx';

/** The route is the hash (#/devices/x?status=fault): the gateway serves one page, bookmarks still work. */
function useRoute(): { path: string[]; query: URLSearchParams } {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const [p = '', q = ''] = hash.replace(/^#\/?/, '').split('?');
  return { path: p.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q) };
}

function Login({ lang, setLang, notice }: { lang: Lang; setLang: (l: Lang) => void; notice: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(notice);
  const submit = (e: Event) => {
    e.preventDefault();
    const tok = token.trim();
    api<Session>('/session', { token: tok })
      .then(() => {
        saveToken(tok);
        location.hash = '#/';
        location.reload();
      })
      .catch((err: unknown) =>
        setError(
          err instanceof ApiError && err.status !== 401 ? errorText(lang, err.code, err.message) : t(lang, 'badToken'),
        ),
      );
  };
  return (
    <main class="login">
      <form onSubmit={submit} class="card">
        <h1>{t(lang, 'appName')}</h1>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <label>
          {t(lang, 'tokenLabel')}
          <input
            name="token"
            type="password"
            autocomplete="off"
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
            required
          />
        </label>
        <p class="muted">{t(lang, 'tokenHint')}</p>
        <button type="submit">{t(lang, 'signIn')}</button>
        <button type="button" class="link" onClick={() => setLang(lang === 'zh-CN' ? 'en' : 'zh-CN')}>
          {t(lang, 'language')}
        </button>
      </form>
    </main>
  );
}

const NAV = [
  { path: '', key: 'overview', shop: false },
  { path: 'devices', key: 'devices', shop: false },
  { path: 'alerts', key: 'alerts', shop: false },
  { path: 'redemptions', key: 'redemptions', shop: true },
  { path: 'members', key: 'members', shop: false },
  { path: 'reports', key: 'reports', shop: true },
  { path: 'group-buys', key: 'groupBuys', shop: false },
  { path: 'access', key: 'access', shop: false },
  { path: 'cloud', key: 'cloud', shop: false },
  { path: 'doctor', key: 'doctor', shop: false },
  { path: 'tokens', key: 'tokens', shop: false },
] as const;

function Shell({ session, lang, setLang }: { session: Session; lang: Lang; setLang: (l: Lang) => void }) {
  const { path, query } = useRoute();
  const listeners = useRef(new Set<LiveHandler>());
  const [live, setLive] = useState<LiveState>('connecting');
  useEffect(() => {
    let wasDown = false;
    return followLive(
      (event, data) => {
        if (event === 'expired') {
          expire();
          return;
        }
        for (const fn of listeners.current) fn(event, data);
      },
      (s) => {
        setLive(s);
        // after a gap, each view reloads what it shows: events were missed meanwhile
        if (s === 'live' && wasDown) for (const fn of listeners.current) fn('reconnected', null);
        if (s === 'down') wasDown = true;
      },
    );
  }, []);
  const ctx = useMemo<AppContext>(
    () => ({
      lang,
      session,
      onLive: (fn) => {
        listeners.current.add(fn);
        return () => listeners.current.delete(fn);
      },
    }),
    [lang, session],
  );
  const shop = session.merchantId !== null;
  const nav = NAV.filter((n) => (!shop || n.shop) && (n.path !== 'tokens' || session.role === 'admin'));
  const top = path[0] ?? (shop ? 'redemptions' : '');
  let view = <Overview />;
  if (top === 'devices' && path[1]) view = <DevicePage id={path[1]} />;
  else if (top === 'devices') view = <Devices query={query} />;
  else if (top === 'alerts') view = <Alerts />;
  else if (top === 'redemptions') view = <Redemptions />;
  else if (top === 'reports') view = <Reports />;
  else if (top === 'members') view = <Members />;
  else if (top === 'cloud') view = <Cloud />;
  else if (top === 'group-buys') view = <GroupBuys id={path[1]} />;
  else if (top === 'access') view = <Access />;
  else if (top === 'doctor') view = <Doctor />;
  else if (top === 'tokens' && session.role === 'admin') view = <Tokens />;
  return (
    <Ctx.Provider value={ctx}>
      <header class="top">
        <strong class="brand">{t(lang, 'appName')}</strong>
        <nav>
          {nav.map((n) => (
            <a key={n.key} href={`#/${n.path}`} class={top === n.path ? 'on' : ''}>
              {t(lang, n.key)}
            </a>
          ))}
        </nav>
        <span class={`live live-${live}`} title={live}>
          {live === 'live' ? t(lang, 'live') : t(lang, 'reconnecting')}
        </span>
        <span class="who muted">
          {session.label ?? session.id} · {session.role}
          {session.merchantId ? ` · ${session.merchantId}` : ''}
        </span>
        <button type="button" class="link" data-lang-switch onClick={() => setLang(lang === 'zh-CN' ? 'en' : 'zh-CN')}>
          {t(lang, 'language')}
        </button>
        <button
          type="button"
          class="link"
          onClick={() => {
            forgetToken();
            location.hash = '#/';
            location.reload();
          }}
        >
          {t(lang, 'signOut')}
        </button>
      </header>
      <main class="page">{view}</main>
    </Ctx.Provider>
  );
}

let expire: () => void = () => undefined;

function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState('');
  const setLang = (l: Lang) => {
    rememberLang(l);
    setLangState(l);
  };
  useEffect(() => {
    rememberLang(lang);
    expire = () => {
      forgetToken();
      setNotice(t(initialLang(), 'expired'));
      setSession(null);
    };
    whenExpired(() => expire());
    // the demo's banner link carries its token in the fragment (never sent to the server): kept, then hidden
    const given = /^#token=(llt_[A-Za-z0-9_-]+)$/.exec(location.hash);
    if (given?.[1]) {
      saveToken(given[1]);
      history.replaceState(null, '', `${location.pathname}#/`);
    }
    // a one-time sign-in link (linli token create --link): its code, in the fragment, is traded for a token
    const link = /^#\/login\/(lln_[A-Za-z0-9_-]+)$/.exec(location.hash);
    if (link?.[1]) {
      history.replaceState(null, '', `${location.pathname}#/`);
      api<{ token: string }>('/session/link', { method: 'POST', body: { code: link[1] }, token: '' })
        .then(({ token }) => {
          saveToken(token);
          return api<Session>('/session');
        })
        .then(setSession)
        .catch((err: unknown) => {
          setNotice(err instanceof ApiError ? errorText(lang, err.code, err.message) : t(lang, 'badToken'));
          setSession(null);
        });
      return;
    }
    if (!savedToken()) {
      setSession(null);
      return;
    }
    api<Session>('/session')
      .then(setSession)
      .catch(() => setSession(null));
  }, []);
  if (session === undefined) return <p class="muted">{t(lang, 'loading')}</p>;
  if (session === null) return <Login lang={lang} setLang={setLang} notice={notice} />;
  return <Shell session={session} lang={lang} setLang={setLang} />;
}

const root = document.getElementById('app');
if (root) render(<App />, root);
