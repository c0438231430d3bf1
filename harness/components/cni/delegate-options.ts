import { z } from 'zod';
import { jsonFromEnv } from '../../sys/validation.ts';

/**
 * The bridge plugin options the flannel CNI plugin delegates with. Defaults are the deck's;
 * `knetsim matrix` varies them through KNETSIM_CNI_DELEGATE (a JSON object of these fields).
 */
export const CniDelegateOptionsSchema = z
  .object({
    isDefaultGateway: z.boolean().default(true),
    hairpinMode: z.boolean().default(true),
    ipMasq: z.boolean().default(false),
  })
  .strict();

export type CniDelegateOptions = z.infer<typeof CniDelegateOptionsSchema>;

export const CNI_DELEGATE_ENV = 'KNETSIM_CNI_DELEGATE';

/** The delegate options for this process: the defaults, overridden by $KNETSIM_CNI_DELEGATE. */
export function cniDelegateOptions(env: NodeJS.ProcessEnv = process.env): CniDelegateOptions {
  return jsonFromEnv(CNI_DELEGATE_ENV, CniDelegateOptionsSchema, {}, env);
}
