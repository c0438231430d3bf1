import type { Ledger } from '../../sys/ledger.ts';
import type { Reporter } from '../../sys/reporter.ts';

/** What a fault needs from the run it is injected into. */
export interface FaultContext {
  ledger: Ledger;
  reporter: Reporter;
}

export type FaultKind = 'link-down' | 'partition' | 'loss' | 'rate' | 'delay' | 'kill-flanneld' | 'restart-flanneld' | 'kill-etcd' | 'kill-process' | 'mtu' | 'wrong-vni';

export interface FaultSpec {
  kind: FaultKind;
  /** One line for reports and the ledger: "uplink of C0w1 down (port C0w1 in ul-…)". */
  description: string;
  /**
   * What the fault occupies, so two faults cannot fight over it: "qdisc C0w1",
   * "nft C0w1", "link C0w1". Undefined when faults of this kind may stack.
   */
  resource?: string | undefined;
  /** Changes the world; what it returns is the fault's `detail` (measurements, the old value). */
  inject: () => Promise<Record<string, unknown> | void>;
  /** Changes it back; what it returns is merged into `detail`. Called at most once. */
  undo: () => Promise<Record<string, unknown> | void>;
  /** Over when `inject` returns (a restart): nothing to undo, never listed as active. */
  transient?: boolean;
}

/**
 * An injected fault: a handle that says what was done and undoes it. `undo()` is
 * idempotent (a second call, or one after the run is gone, does nothing) and is a report
 * step; injection and undo are both written to the run's ledger.
 */
export class Fault implements AsyncDisposable {
  private undoing: Promise<void> | undefined;
  /** When it was injected (performance.now()). */
  readonly injectedAt: number;
  /** How long the undo took, once undone (ms). */
  undoMs: number | undefined;

  private constructor(
    private readonly ctx: FaultContext,
    private readonly spec: FaultSpec,
    /** What the injection measured or replaced (e.g. { previousMtu: 1500 }, { readyMs: 812 }). */
    readonly detail: Record<string, unknown>,
    private readonly onUndone: (f: Fault) => void,
  ) {
    this.injectedAt = performance.now();
  }

  get kind(): FaultKind {
    return this.spec.kind;
  }

  get description(): string {
    return this.spec.description;
  }

  get resource(): string | undefined {
    return this.spec.resource;
  }

  get undone(): boolean {
    return this.undoing !== undefined;
  }

  /** @internal Records, reports and injects; used by the Faults registry. */
  static async inject(ctx: FaultContext, spec: FaultSpec, onUndone: (f: Fault) => void): Promise<Fault> {
    ctx.ledger.record({ kind: 'fault', description: spec.description });
    return ctx.reporter.step(`fault: ${spec.description}`, async () => {
      const detail = (await spec.inject()) ?? {};
      if (Object.keys(detail).length > 0) await ctx.reporter.attach(`fault detail: ${spec.kind}`, JSON.stringify(detail, null, 2), 'application/json');
      return new Fault(ctx, spec, detail, onUndone);
    });
  }

  /** Restores what the fault changed. Idempotent; concurrent calls share one undo. */
  undo(): Promise<void> {
    if (this.spec.transient) this.undoing ??= Promise.resolve();
    this.undoing ??= this.ctx.reporter.step(`undo fault: ${this.spec.description}`, async () => {
      const t0 = performance.now();
      try {
        Object.assign(this.detail, (await this.spec.undo()) ?? {});
      } finally {
        this.undoMs = Math.round(performance.now() - t0);
        this.ctx.ledger.record({ kind: 'fault', description: this.spec.description, undone: true });
        this.onUndone(this);
      }
    });
    return this.undoing;
  }

  /** @internal Marks the fault undone without running its undo (its namespaces are gone). */
  close(reason: string): void {
    if (this.undoing) return;
    this.undoing = Promise.resolve();
    this.ctx.ledger.record({ kind: 'fault', description: `${this.spec.description} (${reason})`, undone: true });
  }

  toJSON(): string {
    return `fault ${this.spec.description}${this.undone ? ' (undone)' : ''}`;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.undo();
  }
}
