import { z } from 'zod';
import { ValidationError } from '../sys/errors.ts';

/** Pod names: DNS labels, as Kubernetes has them. Checked before anything is created. */
export const POD_NAME_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export const podNameSchema = {
  parse(name: unknown): string {
    const r = z
      .string()
      .regex(POD_NAME_RE, 'must be lowercase letters, digits and inner dashes (a DNS label)')
      .max(40, 'must be at most 40 characters')
      .safeParse(name);
    if (!r.success) throw new ValidationError('pod name', [{ path: 'name', message: `${JSON.stringify(name)} ${r.error.issues[0]!.message}` }]);
    return r.data;
  },
};
