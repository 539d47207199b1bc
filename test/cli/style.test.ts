import { describe, expect, it } from 'vitest';
import { styleFor } from '../../src/cli/style.js';

describe('styleFor', () => {
  it.each([
    [true, {}, true],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [false, {}, false],
    [undefined, {}, false],
    [true, { TERM: 'dumb' }, false],
    [false, { FORCE_COLOR: '1' }, true],
    [false, { FORCE_COLOR: '' }, true],
    [false, { FORCE_COLOR: 'true' }, true],
    [false, { FORCE_COLOR: '3' }, true],
    [true, { FORCE_COLOR: '0' }, false],
    [true, { FORCE_COLOR: 'false' }, false],
    [false, { FORCE_COLOR: '1', NO_COLOR: '1' }, true],
    [true, { FORCE_COLOR: '0', NO_COLOR: '' }, false],
  ])('a terminal %s with env %j colours: %s', (isTTY, env, colours) => {
    const style = styleFor(isTTY === undefined ? {} : { isTTY }, env);
    expect(style.bad('x') !== 'x').toBe(colours);
    expect(style.good('x') !== 'x').toBe(colours);
  });
});
