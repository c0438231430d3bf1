import { z } from 'zod';
import { fromZod } from '../../sys/validation.ts';

/**
 * Options of every fault, validated at the boundary: a bad value is rejected with a
 * ValidationError naming the field, before anything is changed.
 */

/** Which packets of a link a fault touches, seen from its target (worker or cluster). */
export const DirectionSchema = z.enum(['ingress', 'egress', 'both'], {
  message: 'must be "ingress" (toward the target), "egress" (from it) or "both"',
});
export type Direction = z.infer<typeof DirectionSchema>;

export const LossOptionsSchema = z
  .object({
    fraction: z.number({ message: 'must be a number' }).min(0, 'must be at least 0').max(1, 'must be at most 1 (a fraction, not a percentage)'),
    direction: DirectionSchema.default('both'),
  })
  .strict();
export type LossOptions = z.input<typeof LossOptionsSchema>;

/** tc's rate units: bits (bit, kbit, mbit, gbit) or bytes (bps, kbps, mbps, gbps) per second. */
const RATE = /^(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)$/i;
const UNIT_BITS: Record<string, number> = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9 };

/** "10mbit" → 10_000_000 bits per second. */
export function rateBits(rate: string): number {
  const m = RATE.exec(rate);
  if (!m) throw new TypeError(`not a rate: ${rate}`);
  return Number(m[1]) * UNIT_BITS[m[2]!.toLowerCase()]!;
}

export const RateOptionsSchema = z
  .object({
    rate: z.string({ message: 'must be a string like "10mbit"' }).superRefine((r, ctx) => {
      if (!RATE.test(r)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a number and a unit, like "10mbit", "512kbit" or "1mbps"' });
      } else if (rateBits(r) < 8_000) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be at least 8kbit' });
      } else if (rateBits(r) > 100e9) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be at most 100gbit' });
      }
    }),
  })
  .strict();
export type RateOptions = z.input<typeof RateOptionsSchema>;

export const DelayOptionsSchema = z
  .object({
    ms: z.number({ message: 'must be a number of milliseconds' }).positive('must be more than 0').max(60_000, 'must be at most 60000 (one minute)'),
    jitterMs: z.number({ message: 'must be a number of milliseconds' }).min(0, 'must be at least 0').optional(),
  })
  .strict()
  .refine((o) => o.jitterMs === undefined || o.jitterMs <= o.ms, { message: 'must not exceed the delay', path: ['jitterMs'] });
export type DelayOptions = z.input<typeof DelayOptionsSchema>;

export const MtuOptionsSchema = z
  .object({
    mtu: z.number({ message: 'must be a number of bytes' }).int('must be a whole number').min(576, 'must be at least 576').max(9000, 'must be at most 9000'),
  })
  .strict();
export type MtuOptions = z.input<typeof MtuOptionsSchema>;

export const WrongVniOptionsSchema = z
  .object({
    vni: z.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(16_777_215, 'must be at most 16777215'),
    port: z.number({ message: 'must be a number' }).int('must be a whole number').min(1).max(65_535).default(8472),
  })
  .strict();
export type WrongVniOptions = z.input<typeof WrongVniOptionsSchema>;

/** Parses fault options; a failure is a ValidationError naming `fault <name>` and the field. */
export function parseFaultOptions<S extends z.ZodTypeAny>(fault: string, schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw fromZod(`options of fault "${fault}"`, r.error);
  return r.data;
}
