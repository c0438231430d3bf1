/** The built-in skupper-compatible router: start it in-process or run main.ts as a program. */
export { startRouter, Router, type RouterHandle, type RouterState, type StartRouterOptions } from './router.ts';
export { loadRouterConfig, parseRouterConfig, type RouterConfig } from './config.ts';
export type { ConnectorState } from './inter-router.ts';
export { ManagementClient, ManagementConnectError, type ManagementEndpoint } from './management/client.ts';
export { ManagementError, type ManagementRequest } from './management/protocol.ts';
