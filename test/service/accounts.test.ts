import { describe, expect, it } from 'vitest';
import { addSystemUser, findAccount, freeSystemId, removeSystemUser } from '../../gateway/service/accounts.ts';

const USER = { name: 'linli', home: '/var/lib/linli', shell: '/usr/sbin/nologin' };

describe("the system user in an image's /etc/passwd and /etc/group", () => {
  it('takes the highest system id free as both uid and gid, like useradd --system', () => {
    const passwd = 'root:x:0:0::/root:/bin/bash\nsystemd-network:x:999:999::/:/usr/sbin/nologin\n';
    const group = 'root:x:0:\nsystemd-network:x:999:\nsystemd-journal:x:998:\n';
    expect(freeSystemId(passwd, group)).toBe(997);
    const added = addSystemUser({ passwd, group, shadow: 'root:*::::::\n' }, USER);
    expect(added.account).toEqual({ name: 'linli', uid: 997, gid: 997, home: USER.home, shell: USER.shell });
    expect(added.passwd.endsWith('linli:x:997:997:Linli community gateway:/var/lib/linli:/usr/sbin/nologin\n')).toBe(
      true,
    );
    expect(added.group.endsWith('linli:x:997:\n')).toBe(true);
    expect(added.shadow).toBe('root:*::::::\nlinli:!::::::\n');
    expect(added.gshadow).toBeUndefined();
  });

  it('reuses a group of that name, refuses a user that exists, and fails when the range is full', () => {
    const added = addSystemUser({ passwd: 'root:x:0:0::/:/bin/sh', group: 'linli:x:500:' }, USER);
    expect(added.account.gid).toBe(500);
    expect(added.group).toBe('linli:x:500:');
    expect(added.passwd).toBe(
      'root:x:0:0::/:/bin/sh\nlinli:x:999:500:Linli community gateway:/var/lib/linli:/usr/sbin/nologin\n',
    );
    expect(() => addSystemUser({ passwd: added.passwd, group: added.group }, USER)).toThrow(/exists already/);
    const full = Array.from({ length: 900 }, (_, i) => `u${i}:x:${i + 100}:${i + 100}::/:/bin/false`).join('\n');
    expect(() => freeSystemId(full, '')).toThrow(/no free system user id/);
  });

  it('removal takes the user, and its group unless another account has it as its primary group', () => {
    const base = { passwd: 'root:x:0:0::/root:/bin/bash\n', group: 'root:x:0:\n', gshadow: 'root:*::\n' };
    const added = addSystemUser(base, USER);
    expect(removeSystemUser(added, 'linli')).toEqual(base);
    const shared = { ...added, passwd: `${added.passwd}other:x:1000:999::/home/other:/bin/bash\n` };
    const left = removeSystemUser(shared, 'linli');
    expect(findAccount(left.passwd, 'linli')).toBeUndefined();
    expect(left.group).toMatch(/^linli:x:999:$/m);
  });
});
