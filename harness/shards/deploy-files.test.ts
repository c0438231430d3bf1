// deploy/ cannot run here (no GitHub runner, no cluster): these checks keep its files in step
// with each other and with the knetsim commands they call.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseShard } from './shard.ts';

const read = (p: string) => readFileSync(fileURLToPath(new URL(`../../deploy/${p}`, import.meta.url)), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

describe('deploy/github/knetsim-shards.yml', () => {
  const wf = parse(read('github/knetsim-shards.yml')) as Doc;
  const test = wf.jobs.test;
  const merge = wf.jobs.merge;
  const runs = (job: Doc) => job.steps.filter((s: Doc) => s.run).map((s: Doc) => s.run as string);

  it('runs one job per shard, as root in a privileged container, each running its own shard', () => {
    const shards = test.strategy.matrix.shard as number[];
    expect(shards).toEqual(shards.map((_, i) => i + 1));
    expect(test.container.options).toContain('--privileged');
    expect(test.strategy['fail-fast']).toBe(false);
    const run = runs(test).find((r: string) => r.includes(' test '))!;
    const m = /--shard \$\{\{ matrix\.shard \}\}\/(\d+) --report-dir (.+?) --no-report/.exec(run)!;
    expect(Number(m[1])).toBe(shards.length);
    expect(() => parseShard(`${shards.at(-1)}/${m[1]}`)).not.toThrow();
    expect(test.name).toContain(`/${shards.length}`);
    const upload = test.steps.find((s: Doc) => String(s.uses).startsWith('actions/upload-artifact'));
    expect(upload.with.path).toBe(m[2]);
    expect(upload.if).toContain('!cancelled()');
  });

  it('merges whatever the shards uploaded, after all of them, and uploads the report', () => {
    expect(merge.needs).toBe('test');
    expect(merge.if).toContain('!cancelled()');
    expect(merge.container.image).toBe(test.container.image);
    const upload = test.steps.find((s: Doc) => String(s.uses).startsWith('actions/upload-artifact'));
    const download = merge.steps.find((s: Doc) => String(s.uses).startsWith('actions/download-artifact'));
    const prefix = String(upload.with.name).replace('${{ matrix.shard }}', '');
    expect(download.with.pattern).toBe(`${prefix}*`);
    const run = runs(merge).find((r: string) => r.includes(' merge '))!;
    expect(run).toContain(`merge ${download.with.path}/${prefix}* --out reports/merged`);
    expect(merge.steps.at(-1).with.path).toBe('reports/merged');
  });
});

describe('deploy/kubernetes', () => {
  const docs = (f: string) => parseAllDocuments(read(`kubernetes/${f}`)).map((d) => d.toJS() as Doc);
  const [job] = docs('test-shards-job.yaml');
  const [mergeJob] = docs('merge-job.yaml');
  const [pvc] = docs('results-pvc.yaml');
  const [ns] = docs('namespace.yaml');

  it('runs an Indexed Job of privileged pods, one shard per completion index, into the results volume', () => {
    expect(job.spec.completionMode).toBe('Indexed');
    const pod = job.spec.template.spec;
    const c = pod.containers[0];
    expect(c.securityContext.privileged).toBe(true);
    const shards = Number(c.env.find((e: Doc) => e.name === 'SHARDS').value);
    expect(job.spec.completions).toBe(shards);
    expect(job.spec.parallelism).toBe(shards);
    const script = c.args.join('\n') as string;
    expect(script).toContain('shard=$((JOB_COMPLETION_INDEX + 1))');
    expect(script).toContain('--shard "$shard/$SHARDS" --report-dir "/results/test/shard-$shard"');
    expect(c.volumeMounts[0].mountPath).toBe('/results');
    expect(pod.volumes[0].persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
    expect(pod.restartPolicy).toBe('Never');
  });

  it('merges the shard folders from the same volume and image, in the namespace that allows privileged pods', () => {
    const c = mergeJob.spec.template.spec.containers[0];
    expect(c.args.join(' ')).toContain('merge /results/test/shard-* --out /results/test/merged');
    expect(c.image).toBe(job.spec.template.spec.containers[0].image);
    expect(c.workingDir).toBe(job.spec.template.spec.containers[0].workingDir);
    expect(mergeJob.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    for (const d of [job, mergeJob, pvc]) expect(d.metadata.namespace).toBe(ns.metadata.name);
  });
});
