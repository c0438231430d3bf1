import { describe, expect, it } from 'vitest';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, longType, ManagementError, queryRows, shortType } from './protocol.ts';

describe('management protocol', () => {
  it('addresses QUERY to the management node, naming the entity type in entityType', () => {
    expect(encodeRequest({ operation: 'QUERY', type: 'tcpListener', attributeNames: ['name', 'operStatus'] }, '7', 'reply-1')).toEqual({
      to: '$management',
      reply_to: 'reply-1',
      correlation_id: '7',
      application_properties: { operation: 'QUERY', type: 'org.amqp.management', name: 'self', entityType: 'io.skupper.router.tcpListener' },
      body: { attributeNames: ['name', 'operStatus'] },
    });
  });

  it('addresses CREATE, READ and DELETE to the entity: its long type and name', () => {
    const c = encodeRequest({ operation: 'CREATE', type: 'connector', name: 'link-C0', attributes: { host: '10.0.0.1', port: '55671' } }, '1', 'r');
    expect(c.application_properties).toEqual({ operation: 'CREATE', type: 'io.skupper.router.connector', name: 'link-C0' });
    expect(c.body).toEqual({ host: '10.0.0.1', port: '55671' });
    expect(encodeRequest({ operation: 'DELETE', type: 'io.skupper.router.tcpListener', name: 'a' }, '2', 'r').application_properties).toEqual({
      operation: 'DELETE', type: 'io.skupper.router.tcpListener', name: 'a',
    });
    expect(encodeRequest({ operation: 'GET-TYPES' }, '3', 'r').application_properties).toEqual({ operation: 'GET-TYPES', type: 'org.amqp.management', name: 'self' });
  });

  it('reads a request back as a server sees it', () => {
    const m = encodeRequest({ operation: 'READ', type: 'listener', name: 'amqp' }, '9', 'r');
    expect(decodeRequest(m)).toEqual({ operation: 'READ', type: 'io.skupper.router.listener', name: 'amqp', body: {} });
    expect(decodeRequest({ application_properties: { type: 'x' } })).toEqual({ error: "No 'operation' application property" });
  });

  it('answers with statusCode, statusDescription and the correlation-id', () => {
    expect(encodeResponse({ reply_to: 'r', correlation_id: '9' }, 404, 'No entity with name=x', {})).toEqual({
      to: 'r', correlation_id: '9', application_properties: { statusCode: 404, statusDescription: 'No entity with name=x' }, body: {},
    });
    expect(encodeResponse({ reply_to: 'r', correlation_id: 1 }, 201, undefined, { a: 1 }).application_properties).toEqual({ statusCode: 201, statusDescription: 'Created' });
  });

  it('turns a QUERY answer into one object per entity', () => {
    expect(queryRows({ attributeNames: ['name', 'operStatus'], results: [['a', 'up'], ['b', null]] })).toEqual([
      { name: 'a', operStatus: 'up' },
      { name: 'b', operStatus: null },
    ]);
    expect(() => queryRows({ results: [] })).toThrow(/attributeNames and results/);
  });

  it('fails a non-2xx answer naming operation, type, name, router and status', () => {
    const req = { operation: 'DELETE', type: 'tcpListener', name: 'web:80' } as const;
    expect(decodeResponse(req, { application_properties: { statusCode: 204, statusDescription: 'No Content' }, body: {} })).toEqual({});
    const err = (() => {
      try {
        decodeResponse(req, { application_properties: { statusCode: 404, statusDescription: 'No entity with name=web:80' } }, 'router C1');
      } catch (e) {
        return e as ManagementError;
      }
      throw new Error('expected an error');
    })();
    expect(err).toBeInstanceOf(ManagementError);
    expect(err.statusCode).toBe(404);
    expect(err.message).toBe('DELETE tcpListener "web:80" on router C1 failed: 404 No entity with name=web:80');
    expect(() => decodeResponse(req, { application_properties: {} })).toThrow(/without a statusCode/);
  });

  it('converts between short and long type names', () => {
    expect(longType('router.node')).toBe('io.skupper.router.router.node');
    expect(longType('io.skupper.router.connection')).toBe('io.skupper.router.connection');
    expect(longType('org.amqp.management')).toBe('org.amqp.management');
    expect(shortType('io.skupper.router.tcpConnector')).toBe('tcpConnector');
  });
});
