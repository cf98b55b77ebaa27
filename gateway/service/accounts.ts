/**
 * The system user in an image's /etc/passwd and /etc/group, for `linli service install --root DIR`:
 * what `useradd --system --user-group` would add, without chroot or root rights, so a test can check it.
 */

export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** systemd's and Debian's range for system users (SYS_UID_MIN..SYS_UID_MAX in /etc/login.defs). */
const SYSTEM_IDS = { min: 100, max: 999 };

interface Entry {
  name: string;
  id: number;
  fields: string[];
}

function entries(text: string): Entry[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const fields = l.split(':');
      return { name: fields[0] ?? '', id: Number(fields[2]), fields };
    });
}

/** The user's account from /etc/passwd's text, if it is there. */
export function findAccount(passwd: string, name: string): Account | undefined {
  const e = entries(passwd).find((x) => x.name === name);
  if (!e) return undefined;
  return { name, uid: e.id, gid: Number(e.fields[3]), home: e.fields[5] ?? '', shell: e.fields[6] ?? '' };
}

/** The group's id from /etc/group's text, if it is there. */
export function findGroup(group: string, name: string): number | undefined {
  return entries(group).find((x) => x.name === name)?.id;
}

/** Like useradd: the highest id free as a uid and as a gid, so the user's group can share its number. */
export function freeSystemId(passwd: string, group: string): number {
  const used = new Set([...entries(passwd), ...entries(group)].map((e) => e.id));
  for (let id = SYSTEM_IDS.max; id >= SYSTEM_IDS.min; id--) if (!used.has(id)) return id;
  throw new Error(`no free system user id between ${SYSTEM_IDS.min} and ${SYSTEM_IDS.max}`);
}

const withLine = (text: string, line: string) => `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`;

/** The files' new texts with the user and its group added (an existing group of that name is reused). */
export function addSystemUser(
  files: { passwd: string; group: string; shadow?: string; gshadow?: string },
  user: { name: string; home: string; shell: string },
): { account: Account; passwd: string; group: string; shadow?: string; gshadow?: string } {
  if (findAccount(files.passwd, user.name)) throw new Error(`user ${user.name} exists already`);
  const existingGid = findGroup(files.group, user.name);
  const id = freeSystemId(files.passwd, files.group);
  const gid = existingGid ?? id;
  const account: Account = { name: user.name, uid: id, gid, home: user.home, shell: user.shell };
  return {
    account,
    passwd: withLine(files.passwd, `${user.name}:x:${id}:${gid}:Linli community gateway:${user.home}:${user.shell}`),
    group: existingGid === undefined ? withLine(files.group, `${user.name}:x:${gid}:`) : files.group,
    // locked: a system user never logs in with a password
    ...(files.shadow !== undefined ? { shadow: withLine(files.shadow, `${user.name}:!::::::`) } : {}),
    ...(files.gshadow !== undefined && existingGid === undefined
      ? { gshadow: withLine(files.gshadow, `${user.name}:!::`) }
      : files.gshadow !== undefined
        ? { gshadow: files.gshadow }
        : {}),
  };
}

/** The files' new texts without the user, and without its group when no other account has it as primary. */
export function removeSystemUser(
  files: { passwd: string; group: string; shadow?: string; gshadow?: string },
  name: string,
): { passwd: string; group: string; shadow?: string; gshadow?: string } {
  const account = findAccount(files.passwd, name);
  const drop = (text: string, dropIt: (fields: string[]) => boolean) =>
    text
      .split('\n')
      .filter((l) => l === '' || l.startsWith('#') || !dropIt(l.split(':')))
      .join('\n');
  const passwd = drop(files.passwd, (f) => f[0] === name);
  const groupInUse = entries(passwd).some((e) => Number(e.fields[3]) === account?.gid);
  const dropGroup = (f: string[]) => f[0] === name && !groupInUse;
  return {
    passwd,
    group: drop(files.group, dropGroup),
    ...(files.shadow !== undefined ? { shadow: drop(files.shadow, (f) => f[0] === name) } : {}),
    ...(files.gshadow !== undefined ? { gshadow: drop(files.gshadow, dropGroup) } : {}),
  };
}
