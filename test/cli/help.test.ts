// The help layout: two columns wrapped to a width, choices and defaults after the description.
import { describe, expect, it } from 'vitest';
import { helpText, wrap, type HelpPage } from '../../src/cli/help.js';
import { RUN_HELP } from '../../src/cli/spec.js';

const page: HelpPage = {
  usage: 'demo [--mode MODE]',
  description: 'A page to lay out.',
  options: [
    { name: 'mode', type: 'string', description: 'how it works', choices: ['fast', 'slow'], default: 'fast' },
    { name: 'count', type: 'number', description: 'how many' },
    { name: 'help', alias: 'h', type: 'boolean', description: 'show this help' },
  ],
  examples: [
    ['nsrun demo', 'the default'],
    ['nsrun demo --mode slow --count 3 --and-a-long-tail', 'a command line longer than its column'],
  ],
  epilogue: 'First line.\nSecond line.',
  commands: [['demo', 'demonstrates']],
};

describe('wrap', () => {
  it.each([
    ['a b c', 3, ['a b', 'c']],
    ['  spaced   out  ', 80, ['spaced out']],
    ['short averyveryverylongword end', 8, ['short', 'averyveryverylongword', 'end']],
    ['', 10, []],
  ])('%j in %i columns', (text, width, lines) => {
    expect(wrap(text, width)).toEqual(lines);
  });
});

describe('helpText', () => {
  it('lays out usage, description, commands, options, examples and the epilogue', () => {
    expect(helpText(page, 80)).toBe(
      [
        'nsrun demo [--mode MODE]',
        '',
        'A page to lay out.',
        '',
        'Commands:',
        '  nsrun demo  demonstrates',
        '',
        'Options:',
        '      --mode <value>  how it works (one of fast, slow; default fast)',
        '      --count <n>     how many',
        '  -h, --help          show this help',
        '',
        'Examples:',
        '  nsrun demo  the default',
        '  nsrun demo --mode slow --count 3 --and-a-long-tail',
        '              a command line longer than its column',
        '',
        'First line.',
        'Second line.',
      ].join('\n'),
    );
  });

  it.each([40, 60, 80, 100])('keeps the run help within %i columns, but for a longer word or an example, kept whole to copy', (width) => {
    const commands = RUN_HELP.examples.map(([command]) => command);
    for (const line of helpText(RUN_HELP, width).split('\n')) {
      if (line.length > width && !commands.includes(line.trim())) expect(line.trim()).not.toMatch(/\s/);
    }
  });
});
