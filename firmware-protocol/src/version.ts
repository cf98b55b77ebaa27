/** [FWP-2.3] The protocol version. The major is part of every topic; the full version is in every envelope. */
export const PROTOCOL_MAJOR = 1;
export const PROTOCOL_MINOR = 3;
export const PROTOCOL_VERSION = `${PROTOCOL_MAJOR}.${PROTOCOL_MINOR}` as const;
/** Majors this gateway speaks. A device on another major gets UNSUPPORTED_PROTOCOL_VERSION [FWP-2.4]. */
export const SUPPORTED_MAJORS: readonly number[] = [PROTOCOL_MAJOR];

/** Parses "1.0" into numbers; undefined when it is not a version string. */
export function parseVersion(v: string): { major: number; minor: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(v);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}
