import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../sys/temp-dir.ts';
import { failedTryDir, saveFailedTry } from '../../testing/failed-tries.ts';
import { markFlaky } from './flaky.ts';

describe('markFlaky', () => {
  it('marks a test that passed on a retry and attaches what its failed try left', () => {
    using tmp = makeTempDir('flaky');
    const dir = tmp.path;
    mkdirSync(join(dir, 'allure-results'));
    const result = (name: string) => ({ uuid: name, name, fullName: `knetsim:scenarios/a.test.ts#suite ${name}`, status: 'passed', statusDetails: {} });
    writeFileSync(join(dir, 'allure-results', '1-result.json'), JSON.stringify(result('flaky one')));
    writeFileSync(join(dir, 'allure-results', '2-result.json'), JSON.stringify(result('steady one')));
    writeFileSync(join(dir, 'flaky.json'), JSON.stringify([{ file: 'scenarios/a.test.ts', name: 'suite > flaky one', retryCount: 1 }]));
    saveFailedTry(failedTryDir(dir, 'scenarios/a.test.ts', 'suite > flaky one', 0), ['AssertionError: boom'], [{ name: 'log etcd.log', text: 'etcd said' }]);

    expect(markFlaky(dir)).toBe(1);
    const flaky = JSON.parse(readFileSync(join(dir, 'allure-results', '1-result.json'), 'utf8'));
    expect(flaky.statusDetails.flaky).toBe(true);
    expect(flaky.attachments.map((a: { name: string }) => a.name).sort()).toEqual(['failed try 1: errors', 'failed try 1: log_etcd.log']);
    const errors = flaky.attachments.find((a: { name: string }) => a.name === 'failed try 1: errors');
    expect(readFileSync(join(dir, 'allure-results', errors.source), 'utf8')).toBe('AssertionError: boom');
    const steady = JSON.parse(readFileSync(join(dir, 'allure-results', '2-result.json'), 'utf8'));
    expect(steady.statusDetails.flaky).toBeUndefined();
  });
});
