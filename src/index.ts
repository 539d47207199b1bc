/** nsrun's library: run a command in new Linux namespaces from Node. */
export type { HelperConfig, IdMapLine, Propagation, TimeOffsets } from './config.js';
export { EXIT, formatMessage, fromHelperError, NsrunError, usageError } from './errors.js';
export type { ErrorContext, HelperStep, NsrunErrorDetails, NsrunStep } from './errors.js';
export { helperPath, runHelper } from './helper.js';
export type { HelperResult, RunHelperOptions } from './helper.js';
export type { MapMode } from './idmaps.js';
export { NAMESPACES, parseFlags } from './namespaces.js';
export type { NamespaceKind, NamespaceName } from './namespaces.js';
export { normalizeOptions } from './options.js';
export type { NsrunOptions } from './options.js';
export { processContext } from './system.js';
export type { SystemContext } from './system.js';
export { CommandFailedError, run, spawn } from './api.js';
export type { NsrunResult, NsrunSandbox, NsrunSubprocess, NsrunTimings, RunOptions, StdioOption } from './api.js';
export { startHelper } from './helper.js';
export type { HelperProcess, SandboxReady, StdioTarget } from './helper.js';
export { doctor } from './doctor.js';
export type { Attempt, CgroupVersion, CheckStatus, DoctorCheck, DoctorReport, MapProgram } from './doctor.js';
