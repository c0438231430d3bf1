import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from './errors.ts';
import { jsonFromEnv } from './validation.ts';

describe('jsonFromEnv', () => {
  const schema = z.object({ mtu: z.number().int().max(9000) }).strict();
  it('gives the fallback when the variable is unset or empty', () => {
    expect(jsonFromEnv('X', schema.partial(), {}, {})).toEqual({});
    expect(jsonFromEnv('X', schema.partial(), {}, { X: '' })).toEqual({});
  });
  it('parses and validates the variable', () => {
    expect(jsonFromEnv('X', schema, {}, { X: '{"mtu": 1400}' })).toEqual({ mtu: 1400 });
  });
  it('names the variable and the field when the JSON is broken or wrong', () => {
    expect(() => jsonFromEnv('X', schema, {}, { X: '{"mtu":' })).toThrow(ValidationError);
    expect(() => jsonFromEnv('X', schema, {}, { X: '{"mtu":' })).toThrow(/invalid X/);
    expect(() => jsonFromEnv('X', schema, {}, { X: '{"mtu": 99999}' })).toThrow(/mtu: Number must be less than or equal to 9000/);
  });
});
