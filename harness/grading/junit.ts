/** What a JUnit XML file (vitest's junit reporter) says, read without an XML library. */
export interface JunitSummary {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  /** Names of the test cases that failed, with the first line of their message. */
  failed: { name: string; message: string }[];
  passed: string[];
  /** Every test case: its file (vitest's classname), name, and failure message if it failed. */
  cases: { file: string; name: string; failure?: string; skipped: boolean }[];
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];

export function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&')
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;]*m/g, '');
}

export function parseJunit(xml: string): JunitSummary {
  const out: JunitSummary = { tests: 0, failures: 0, errors: 0, skipped: 0, failed: [], passed: [], cases: [] };
  const cases = xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g);
  for (const m of cases) {
    const name = unescapeXml(attr(m[1]!, 'name') ?? '?');
    const file = unescapeXml(attr(m[1]!, 'classname') ?? '');
    const body = m[3] ?? '';
    out.tests++;
    const failure = /<(failure|error)\b([^>]*)>?/.exec(body);
    const skipped = !failure && /<skipped\b/.test(body);
    if (failure) {
      if (failure[1] === 'error') out.errors++;
      else out.failures++;
      // The whole message on one line (a matcher's hint alone says little), capped.
      const message = unescapeXml(attr(failure[2] ?? '', 'message') ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .join(' / ')
        .slice(0, 400);
      out.failed.push({ name, message });
      out.cases.push({ file, name, failure: message || '(no message)', skipped });
    } else {
      if (skipped) out.skipped++;
      else out.passed.push(name);
      out.cases.push({ file, name, skipped });
    }
  }
  return out;
}
