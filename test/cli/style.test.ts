import { describe, expect, it } from 'vitest';
import { styleFor } from '../../src/cli/style.js';

describe('styleFor', () => {
  it.each([
    [true, {}, true],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [false, {}, false],
    [undefined, {}, false],
  ])('a terminal %s with env %j colours: %s', (isTTY, env, colours) => {
    const style = styleFor(isTTY === undefined ? {} : { isTTY }, env);
    expect(style.bad('x') !== 'x').toBe(colours);
    expect(style.good('x') !== 'x').toBe(colours);
  });
});
