/** Help text, laid out from an option table in two columns wrapped to the terminal's width. */
import type { Completion, OptionSpec } from './spec.js';

/** What one command's help shows. */
export interface HelpPage {
  /** The usage line, after `nsrun `. */
  readonly usage: string;
  /** What the command does, in a sentence or two. */
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** A command line and what it does. */
  readonly examples: readonly (readonly [string, string])[];
  /** Notes shown last. */
  readonly epilogue?: string;
  /** Other commands, listed with their one-line summary. */
  readonly commands?: readonly (readonly [string, string])[];
  /** The environment variables it reads, with what each does. */
  readonly environment?: readonly (readonly [string, string])[];
  /** What the words after its options complete to; by default nothing (it takes none). */
  readonly operands?: Completion;
}

/** The widest help is laid out, however wide the terminal; 80 columns when it is not a terminal. */
const MAX_WIDTH = 100;
/** The left column never takes more than this share of the width; longer entries put their text below. */
const LEFT_SHARE = 0.45;

/** Words of `text` in lines of at most `width` characters; a longer word gets a line of its own. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return line === '' ? lines : [...lines, line];
}

/** Rows of a term and its text, the texts aligned in a second column after the terms that fit in it. */
function columns(rows: readonly (readonly [string, string])[], width: number): string {
  const cap = Math.floor(width * LEFT_SHARE);
  const left = Math.max(0, ...rows.map(([term]) => term.length).filter((length) => length <= cap)) + 2;
  const right = Math.max(width - left, 20);
  return rows
    .flatMap(([term, text]) => {
      const wrapped = wrap(text, right);
      const lines = wrapped.map((l) => `${' '.repeat(left)}${l}`);
      // a first word too long for its column goes below the term, as in a longer entry
      if (term.length + 2 <= left && (wrapped[0]?.length ?? 0) <= right) return [`${term.padEnd(left)}${wrapped[0] ?? ''}`, ...lines.slice(1)];
      return [term, ...lines];
    })
    .join('\n');
}

/** `-h, --help`, `    --flags <value>` or `    --network [<value>]` (a value it may go without): what a user types. */
function optionTerm(spec: OptionSpec): string {
  const names = `${spec.alias === undefined ? '    ' : `-${spec.alias}, `}--${spec.name}`;
  const value = spec.type === 'number' ? '<n>' : '<value>';
  return `  ${names}${spec.type === 'boolean' ? '' : spec.implied === undefined ? ` ${value}` : ` [${value}]`}`;
}

/** The description, then the values it accepts and its default. */
function optionText(spec: OptionSpec): string {
  const notes = [
    ...(spec.choices === undefined ? [] : [`one of ${spec.choices.join(', ')}`]),
    ...(spec.default === undefined ? [] : [`default ${spec.default}`]),
  ];
  return notes.length === 0 ? spec.description : `${spec.description} (${notes.join('; ')})`;
}

/** Paragraphs wrapped to `width`, each line of the source kept as a line. */
function paragraph(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => wrap(line, width).join('\n'))
    .join('\n');
}

/** The text of a help page, laid out for `width` columns (the terminal's, at most 100, else 80). */
export function helpText(page: HelpPage, width = Math.min(MAX_WIDTH, process.stdout.columns ?? 80)): string {
  const sections = [paragraph(`nsrun ${page.usage}`, width), paragraph(page.description, width)];
  if (page.commands !== undefined && page.commands.length > 0) {
    sections.push(`Commands:\n${columns(page.commands.map(([name, summary]) => [`  nsrun ${name}`, summary]), width)}`);
  }
  sections.push(`Options:\n${columns(page.options.map((spec) => [optionTerm(spec), optionText(spec)]), width)}`);
  sections.push(`Examples:\n${columns(page.examples.map(([command, text]) => [`  ${command}`, text]), width)}`);
  if (page.epilogue !== undefined) sections.push(paragraph(page.epilogue, width));
  if (page.environment !== undefined && page.environment.length > 0) {
    sections.push(`Environment:\n${columns(page.environment.map(([name, what]) => [`  ${name}`, what]), width)}`);
  }
  return sections.join('\n\n');
}
