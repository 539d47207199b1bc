import { expect } from 'vitest';
import { NsrunError } from '../../src/errors.js';

/** The NsrunError `fn` throws; fails the test when it throws nothing or something else. */
export function thrown(fn: () => unknown): NsrunError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(NsrunError);
    return error as NsrunError;
  }
  throw new Error('expected an NsrunError, but nothing was thrown');
}
