export { Capture, type CaptureSpec } from './tcpdump-capture.ts';
export { captureIn, nextCaptureFile, vxlanPortsOf, type CaptureHost } from './capture-in.ts';
export {
  CAPTURE_READY_TIMEOUT_MS,
  CaptureOptionsSchema,
  DEFAULT_CAPTURE_IFACE,
  parseCaptureOptions,
  tcpdumpArgv,
  type CaptureOptions,
  type ResolvedCaptureOptions,
} from './capture-options.ts';
