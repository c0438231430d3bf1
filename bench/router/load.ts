/** The client side of the router benchmark: bulk transfers and short connections against peer.ts. */
import { connect, type Socket } from 'node:net';
import { writeBytes } from './peer.ts';

const MiB = 1024 * 1024;
const HOST = '127.0.0.1';

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: HOST, port, allowHalfOpen: true, noDelay: true });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Reads until the peer half-closes; resolves with the byte count (and the text, when asked). */
function readAll(s: Socket, keepText = false): Promise<{ bytes: number; text: string }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let text = '';
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      if (keepText) text += d.toString();
    });
    s.once('end', () => resolve({ bytes, text }));
    s.once('error', reject);
  });
}

/** Uploads `n` bytes; MiB/s from connect to the server's acknowledgement of the last byte. */
export async function upload(port: number, n: number): Promise<number> {
  const t0 = performance.now();
  const s = await open(port);
  const reply = readAll(s, true);
  s.write(`U ${n}\n`);
  await writeBytes(s, n);
  const { text } = await reply;
  const secs = (performance.now() - t0) / 1000;
  s.destroy();
  if (Number(text.trim()) !== n) throw new Error(`upload: server acknowledged ${JSON.stringify(text.trim())} of ${n} bytes`);
  return n / MiB / secs;
}

/** Downloads `n` bytes; MiB/s from connect to the last byte. */
export async function download(port: number, n: number): Promise<number> {
  const t0 = performance.now();
  const s = await open(port);
  const got = readAll(s);
  s.write(`D ${n}\n`);
  const { bytes } = await got;
  const secs = (performance.now() - t0) / 1000;
  s.destroy();
  if (bytes !== n) throw new Error(`download: received ${bytes} of ${n} bytes`);
  return n / MiB / secs;
}

export const REPLY_BYTES = 64;

/** One short connection: connect, ask for a small reply, read it to the end, close both ways. */
export async function shortConnection(port: number): Promise<void> {
  const s = await open(port);
  try {
    const got = readAll(s);
    s.end(`R ${REPLY_BYTES}\n`);
    const { bytes } = await got;
    if (bytes !== REPLY_BYTES) throw new Error(`short connection: got ${bytes} of ${REPLY_BYTES} bytes`);
    if (!s.closed) await new Promise((r) => s.once('close', r));
  } finally {
    s.destroy();
  }
}

export interface RateResult {
  perSecond: number;
  failures: number;
  firstError?: string;
}

/**
 * `total` short connections with `inflight` at a time; `onWindow` gets the rate of every
 * `window` completed connections (for soaks).
 */
export async function connectionRate(
  port: number,
  total: number,
  inflight: number,
  onWindow?: (done: number, perSecond: number) => void | Promise<void>,
  window = 1000,
): Promise<RateResult> {
  let started = 0;
  let done = 0;
  let failures = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  let tw = t0;
  let windows = Promise.resolve();
  const worker = async () => {
    while (started < total) {
      started++;
      try {
        await shortConnection(port);
      } catch (e) {
        failures++;
        firstError ??= (e as Error).message;
      }
      done++;
      if (onWindow && done % window === 0) {
        const now = performance.now();
        const rate = window / ((now - tw) / 1000);
        tw = now;
        const d = done;
        windows = windows.then(() => onWindow(d, rate));
      }
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  await windows;
  const secs = (performance.now() - t0) / 1000;
  return { perSecond: (total - failures) / secs, failures, ...(firstError ? { firstError } : {}) };
}
