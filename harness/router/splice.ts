/**
 * Joins two duplex ends of a flow (TCP socket or AMQP hop) in both directions. Backpressure
 * comes from pipe(); an end in one direction is forwarded as end (FIN) while the other
 * direction keeps streaming; an error or early close on one side destroys the other.
 */
import type { Duplex } from 'node:stream';

function cleanlyDone(s: Duplex): boolean {
  return !s.errored && s.readableEnded && s.writableFinished;
}

/** Resolves once both sides have closed. */
export function splice(a: Duplex, b: Duplex): Promise<void> {
  a.pipe(b);
  b.pipe(a);
  const closed = (s: Duplex) => new Promise<void>((resolve) => (s.closed ? resolve() : s.once('close', () => resolve())));
  const guard = (from: Duplex, other: Duplex) => {
    from.on('error', (err) => other.destroy(err));
    from.once('close', () => {
      if (!cleanlyDone(from) && !other.destroyed) other.destroy();
    });
  };
  guard(a, b);
  guard(b, a);
  return Promise.all([closed(a), closed(b)]).then(() => undefined);
}
