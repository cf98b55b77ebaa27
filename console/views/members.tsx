import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { useApp } from '../app-context.ts';
import { dateTime, money, type TextKey } from '../i18n.ts';
import { Card, ErrorLine, Table } from '../widgets.tsx';

interface Member {
  memberId: string;
  tier: string;
  walletFen: number;
  points: number;
  benefits: { id: string; name: { zh: string; en: string }; status: string; usesLeft?: number; expiresAt?: string }[];
  history: { id: string; createdAt: string; merchantId: string; state: string; result: { payableFen: number } }[];
}

/**
 * A member at the desk: by member id, or by the card the resident taps on the office's desk reader. Members
 * are pseudonymous here (no names or phones reach the gateway), so there is nothing personal to mask.
 */
export function Members() {
  const { lang, tr } = useApp();
  const [id, setId] = useState('');
  const [member, setMember] = useState<Member | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const show = (p: Promise<Member>) =>
    p
      .then((m) => {
        setMember(m);
        setError(undefined);
      })
      .catch((e: Error) => {
        setMember(undefined);
        setError(e);
      });
  const zh = lang === 'zh-CN';
  return (
    <div class="grid">
      <Card title={tr('members')} wide>
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            if (id.trim()) void show(api<Member>(`/members/${encodeURIComponent(id.trim())}`));
          }}
        >
          <label>
            {tr('memberId')}
            <input name="member" value={id} onInput={(e) => setId(e.currentTarget.value)} />
          </label>
          <button type="submit">{tr('find')}</button>
          <button
            type="button"
            class="secondary"
            onClick={() => void show(api<Member>('/members/lookup', { method: 'POST', body: { fromDesk: true } }))}
          >
            {tr('fromDesk')}
          </button>
        </form>
        <ErrorLine error={error} />
        {member && (
          <dl class="facts" data-member={member.memberId}>
            <dt>{tr('member')}</dt>
            <dd>{member.memberId}</dd>
            <dt>{tr('tier')}</dt>
            <dd>{member.tier}</dd>
            <dt>{tr('wallet')}</dt>
            <dd>{money(member.walletFen)}</dd>
            <dt>{tr('points')}</dt>
            <dd>{member.points}</dd>
          </dl>
        )}
      </Card>
      {member && (
        <Card title={tr('benefit')}>
          <Table>
            <tbody>
              {member.benefits.map((b) => (
                <tr key={b.id}>
                  <td>{zh ? b.name.zh : b.name.en}</td>
                  <td>{b.status}</td>
                  <td class="num">{b.usesLeft ?? ''}</td>
                  <td>{b.expiresAt ? dateTime(lang, b.expiresAt) : ''}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
      )}
      {member && (
        <Card title={tr('redemptions')}>
          <Table>
            <tbody>
              {member.history.map((r) => (
                <tr key={r.id}>
                  <td>{dateTime(lang, r.createdAt)}</td>
                  <td>{r.merchantId}</td>
                  <td>
                    <span class={`badge state-${r.state}`}>{tr(`state_${r.state}` as TextKey)}</span>
                  </td>
                  <td class="num">{money(r.result.payableFen)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </Card>
      )}
    </div>
  );
}
