import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where `command` is on `path` (default: PATH) as an executable file, if it is: what `command -v` finds. */
export function findOnPath(command: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      /* next */
    }
  }
  return undefined;
}
