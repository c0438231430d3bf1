/**
 * An AMQP management client for skupper routers (skrouterd and this project's own): one
 * connection to a router's normal listener, a sender to `$management`, a receiver on a
 * dynamic reply address, requests matched to responses by correlation-id, a deadline on
 * every call. Errors name the operation, type, name, router and status.
 */
import net from 'node:net';
import rhea from 'rhea';
import type { Connection, EventContext, Message, Receiver, Sender } from 'rhea';
import { HarnessError, TimeoutError } from '../../sys/errors.ts';
import {
  decodeResponse, encodeRequest, ManagementError, MANAGEMENT_ADDRESS, queryRows, type ManagementRequest,
} from './protocol.ts';

export const CONNECT_TIMEOUT_MS = 5_000;
export const REQUEST_TIMEOUT_MS = 5_000;

export interface ManagementEndpoint {
  /** TCP: the router's normal (AMQP) listener. */
  host?: string;
  port?: number;
  /** Or a unix socket that leads to it (a bridge into the router's namespace). */
  path?: string;
  /** Names the router in errors ("router C0"). */
  target?: string;
}

/** The connection could not be made, or was lost. */
export class ManagementConnectError extends HarnessError {
  override name = 'ManagementConnectError';
}

interface Pending {
  req: ManagementRequest;
  resolve: (m: Message) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class ManagementClient {
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private lost: string | undefined;

  private constructor(
    readonly target: string,
    private readonly conn: Connection,
    private readonly sender: Sender,
    private readonly replyTo: string,
  ) {}

  /** Connects and opens the request and reply links, within `timeoutMs`. */
  static async connect(ep: ManagementEndpoint, timeoutMs = CONNECT_TIMEOUT_MS): Promise<ManagementClient> {
    const target = ep.target ?? (ep.path ?? `${ep.host ?? 'localhost'}:${ep.port ?? 5672}`);
    const container = rhea.create_container({ id: `knetsim-management-${process.pid}-${Math.random().toString(36).slice(2, 8)}` });
    const conn = container.connect({
      host: ep.host ?? 'localhost',
      port: ep.port ?? 5672,
      reconnect: false,
      idle_time_out: 0,
      ...(ep.path ? { connect: (_port: number, _host: string, _opts: unknown, cb: () => void) => net.connect({ path: ep.path! }, cb) } : {}),
    } as never);
    let step = 'connecting';
    try {
      return await new Promise<ManagementClient>((resolve, reject) => {
        const timer = setTimeout(() => reject(new TimeoutError(`a management connection to ${target}`, timeoutMs, step)), timeoutMs);
        const fail = (why: string) => {
          clearTimeout(timer);
          reject(new ManagementConnectError(`management connection to ${target} failed while ${step}: ${why}`));
        };
        conn.once('disconnected', (ctx: EventContext) => fail(String((ctx.error as Error | undefined)?.message ?? 'disconnected')));
        conn.once('connection_close', (ctx: EventContext) => fail(`closed by the router: ${JSON.stringify(ctx.connection.error ?? '')}`));
        conn.once('connection_open', () => {
          step = 'opening a dynamic reply address';
          const receiver: Receiver = conn.open_receiver({ source: { dynamic: true } as never, credit_window: 100 });
          receiver.once('receiver_open', () => {
            const replyTo = (receiver.source as { address?: string } | undefined)?.address;
            if (!replyTo) return fail('the router gave the dynamic receiver no address');
            step = `opening a sender to ${MANAGEMENT_ADDRESS}`;
            const sender = conn.open_sender({ target: { address: MANAGEMENT_ADDRESS } });
            sender.once('sendable', () => {
              clearTimeout(timer);
              const client = new ManagementClient(target, conn, sender, replyTo);
              client.listen(receiver);
              resolve(client);
            });
          });
          receiver.once('receiver_close', () => fail(`the router closed the reply link: ${JSON.stringify(receiver.error ?? '')}`));
        });
      });
    } catch (e) {
      conn.close();
      (conn as unknown as { socket?: net.Socket }).socket?.destroy();
      throw e;
    }
  }

  private listen(receiver: Receiver): void {
    receiver.on('message', (ctx: EventContext) => {
      const m = ctx.message!;
      const p = this.pending.get(String(m.correlation_id));
      if (!p) return;
      this.pending.delete(String(m.correlation_id));
      clearTimeout(p.timer);
      p.resolve(m);
    });
    const lose = (why: string) => {
      if (this.lost) return;
      this.lost = why;
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new ManagementError(p.req, undefined, `connection lost: ${why}`, this.target));
      }
      this.pending.clear();
    };
    this.conn.on('disconnected', (ctx: EventContext) => lose(String((ctx.error as Error | undefined)?.message ?? 'disconnected')));
    this.conn.on('connection_close', () => lose('closed by the router'));
    for (const ev of ['connection_error', 'sender_error', 'receiver_error', 'session_error']) this.conn.on(ev, () => {});
  }

  /** False once the connection is gone (the router stopped, or close() was called). */
  get open(): boolean {
    return this.lost === undefined;
  }

  /** Sends one request; resolves with the response body (2xx) or rejects with a ManagementError. */
  request(req: ManagementRequest, timeoutMs = REQUEST_TIMEOUT_MS): Promise<unknown> {
    if (this.lost) return Promise.reject(new ManagementError(req, undefined, `connection lost: ${this.lost}`, this.target));
    const id = `${++this.seq}`;
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ManagementError(req, undefined, `no answer within ${timeoutMs} ms`, this.target));
      }, timeoutMs);
      this.pending.set(id, { req, resolve, reject, timer });
      this.sender.send(encodeRequest(req, id, this.replyTo) as unknown as Message);
    }).then((m) => decodeResponse(req, m, this.target));
  }

  /** Every entity of `type` with the attributes named (all when none), one object per entity. */
  async query(type: string, attributeNames: readonly string[] = [], timeoutMs?: number): Promise<Record<string, unknown>[]> {
    const req: ManagementRequest = { operation: 'QUERY', type, attributeNames };
    const body = await this.request(req, timeoutMs);
    try {
      return queryRows(body);
    } catch (e) {
      throw new ManagementError(req, undefined, (e as Error).message, this.target);
    }
  }

  async read(type: string, name: string, timeoutMs?: number): Promise<Record<string, unknown>> {
    return (await this.request({ operation: 'READ', type, name }, timeoutMs)) as Record<string, unknown>;
  }

  async create(type: string, name: string, attributes: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>> {
    return (await this.request({ operation: 'CREATE', type, name, attributes }, timeoutMs)) as Record<string, unknown>;
  }

  /** Changes attributes of an entity; resolves to the entity as it is afterwards. */
  async update(type: string, name: string, attributes: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>> {
    return (await this.request({ operation: 'UPDATE', type, name, attributes }, timeoutMs)) as Record<string, unknown>;
  }

  async delete(type: string, name: string, timeoutMs?: number): Promise<void> {
    await this.request({ operation: 'DELETE', type, name }, timeoutMs);
  }

  async getTypes(type?: string, timeoutMs?: number): Promise<Record<string, string[]>> {
    return (await this.request({ operation: 'GET-TYPES', ...(type ? { type } : {}) }, timeoutMs)) as Record<string, string[]>;
  }

  async getAttributes(type?: string, timeoutMs?: number): Promise<Record<string, string[]>> {
    return (await this.request({ operation: 'GET-ATTRIBUTES', ...(type ? { type } : {}) }, timeoutMs)) as Record<string, string[]>;
  }

  /** Closes the connection (idempotent); pending requests fail. */
  async close(): Promise<void> {
    if (!this.lost) {
      const closed = new Promise<void>((resolve) => {
        this.conn.once('connection_close', () => resolve());
        this.conn.once('disconnected', () => resolve());
        setTimeout(resolve, 500).unref();
      });
      this.conn.close();
      await closed;
    }
    this.lost ??= 'closed';
    (this.conn as unknown as { socket?: net.Socket }).socket?.destroy();
  }
}
