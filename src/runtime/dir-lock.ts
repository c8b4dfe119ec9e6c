/**
 * A data directory belongs to one running service: `<dir>/.lock` holds its process id. A second
 * service on the same directory gets a clear error instead of a second database on the same
 * files; a lock left by a process that no longer runs (killed) is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DirectoryInUseError extends Error {
  override name = 'DirectoryInUseError';
}

const running = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
};

/** Takes the directory's lock; returns the function that releases it. */
export function lockDirectory(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      let held = true;
      return () => {
        if (held) rmSync(file, { force: true });
        held = false;
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && running(owner)) {
        throw new DirectoryInUseError(
          `${dir} is in use by another service (process ${owner}); stop it first, or set DATA_DIR to another directory`,
        );
      }
      rmSync(file, { force: true }); // left by a process that is gone
    }
  }
  throw new DirectoryInUseError(`could not lock ${dir}`);
}
