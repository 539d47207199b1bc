/**
 * A setup failure of a helper that nsrun handed its process to (handOver): the helper executes
 * nsrun again with the failure record and the config in its environment, and nsrun tells it as
 * it tells any other, in one line with its hint (docs/contract.md).
 */
import type { HelperConfig } from '../config.js';
import { fromHelperError } from '../errors.js';
import { processContext } from '../system.js';
import { fail } from './main.js';

/** The variables the helper sets for nsrun to explain a failure. */
const FAILURE_VARIABLE = 'NSRUN_FAILURE';
const CONFIG_VARIABLE = 'NSRUN_CONFIG';

/** Whether this process was executed by the helper to explain a failure. */
export function explainsFailure(env: Readonly<Record<string, string | undefined>>): boolean {
  return env[FAILURE_VARIABLE] !== undefined && env[CONFIG_VARIABLE] !== undefined;
}

/** Prints the failure the helper passed in `env` and sets the exit code it documents. */
export function explainFailure(env: Readonly<Record<string, string | undefined>>): void {
  const record: unknown = JSON.parse(env[FAILURE_VARIABLE] ?? '');
  // the document nsrun wrote itself, before it became the helper
  const config = JSON.parse(env[CONFIG_VARIABLE] ?? '') as HelperConfig;
  const failure = fromHelperError(record, { config, system: processContext() });
  fail(failure);
}
