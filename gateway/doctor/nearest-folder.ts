import { dirname, resolve } from 'node:path';
import type { DoctorIo, FileInfo } from './context.ts';

/**
 * The data folder, or before the first start the nearest folder above it that exists: the filesystem the
 * gateway will write to either way.
 */
export async function nearestFolder(io: DoctorIo, dir: string): Promise<{ path: string; info: FileInfo } | undefined> {
  let path = resolve(dir);
  for (;;) {
    const info = await io.stat(path);
    if (info) return { path, info };
    const up = dirname(path);
    if (up === path) return undefined;
    path = up;
  }
}
