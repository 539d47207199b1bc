/**
 * nsrun(1), written in man(7) roff from the same option tables and help pages as --help, so the
 * two cannot drift: `make` runs scripts/manpage.mjs, which writes dist/nsrun.1 with it.
 */
import { COMMANDS } from './commands.js';
import type { HelpPage } from './help.js';
import { ENVIRONMENT, RUN_HELP, type OptionSpec } from './spec.js';

/** `text` safe in roff: backslashes and dashes escaped, other than ASCII as \[uHHHH] (HHHH its code point in hex), a line starting with `.` or `'` kept as text. */
function roff(text: string): string {
  return text
    .replaceAll('\\', '\\e')
    .replaceAll('-', '\\-')
    .replace(/[^\x00-\x7f]/gu, (c) => `\\[u${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}]`)
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

/** `text` in bold, inline: the .B macro would take the quotes of a command line for its own. */
function bold(text: string): string {
  return `\\fB${roff(text)}\\fR`;
}

/** The placeholder of an option's value, from what it completes to: its choices, DIR, NAME, PID, LIST, N for a number, else VALUE. */
function valueName(spec: OptionSpec): string {
  if (spec.choices !== undefined) return spec.choices.map((c) => `\\fI${roff(c)}\\fR`).join('|');
  const { completes } = spec;
  const name =
    completes === 'directory' ? 'DIR'
    : completes === 'sandbox' ? 'NAME'
    : completes === 'pid' ? 'PID'
    : typeof completes === 'object' && completes.list === true ? 'LIST'
    : spec.type === 'number' ? 'N'
    : 'VALUE';
  return `\\fI${name}\\fR`;
}

/** One option as a tagged paragraph: its names and value, then its description and default. */
function optionEntry(spec: OptionSpec): string {
  const names = [...(spec.alias === undefined ? [] : [`\\fB\\-${roff(spec.alias)}\\fR`]), `\\fB\\-\\-${roff(spec.name)}\\fR`].join(', ');
  const value = spec.type === 'boolean' ? '' : spec.implied === undefined ? ` ${valueName(spec)}` : ` [${valueName(spec)}]`;
  const fallback = spec.default === undefined ? '' : ` (default: ${roff(spec.default)})`;
  return `.TP\n${names}${value}\n${roff(spec.description)}${fallback}`;
}

/** A help page's examples as tagged paragraphs: the command line, then what it does. */
function examples(page: HelpPage): string[] {
  return page.examples.map(([line, what]) => `.TP\n${bold(line)}\n${roff(what)}`);
}

/** A command's subsection: its usage, description, options, examples and notes. */
function commandSection(name: string, page: HelpPage): string[] {
  return [
    `.SS "nsrun ${roff(page.usage)}"`,
    roff(page.description),
    ...page.options.map(optionEntry),
    ...(page.examples.length === 0 ? [] : ['.PP\nExamples:', ...examples(page)]),
    ...(page.epilogue === undefined || name === 'run' ? [] : [`.PP\n${roff(page.epilogue)}`]),
  ];
}

/** The exit statuses of RUN_HELP's epilogue, one paragraph each. */
function exitStatus(): string[] {
  const [, statuses = ''] = RUN_HELP.epilogue.split('Exit status: ');
  return statuses
    .replace(/\.$/, '')
    .split('; ')
    .map((status) => `.IP \\(bu 2\n${roff(status)}`);
}

/** The whole of nsrun(1) for nsrun `version`. */
export async function manPage(version: string): Promise<string> {
  const others = await Promise.all(COMMANDS.map(async (c) => ({ name: c.name, summary: c.summary, page: (await c.load()).help })));
  const [general = ''] = RUN_HELP.epilogue.split('\n');
  const lines = [
    `.TH NSRUN 1 "" "nsrun ${roff(version)}" "User Commands"`,
    // no hyphenation and no justification: an option name is never split or stretched
    '.nh',
    '.ad l',
    '.SH NAME',
    `nsrun \\- ${roff(RUN_HELP.description.replace(/^./, (c) => c.toLowerCase()).replace(/\.$/, ''))}`,
    '.SH SYNOPSIS',
    `.B nsrun\n${roff(RUN_HELP.usage)}`,
    ...others.map(({ page }) => `.br\n.B nsrun\n${roff(page.usage)}`),
    '.SH DESCRIPTION',
    roff(RUN_HELP.description),
    '.PP',
    roff(general),
    '.PP',
    'Besides running a command (\\fBnsrun run\\fR, the default), nsrun has these commands, each described under COMMANDS:',
    ...others.map(({ name, summary }) => `.TP\n${bold(name)}\n${roff(summary)}`),
    '.SH OPTIONS',
    'The options of \\fBnsrun run\\fR come before the command; the first word that is not one, or the word after \\fB\\-\\-\\fR, starts it.',
    ...RUN_HELP.options.map(optionEntry),
    '.SH COMMANDS',
    ...others.flatMap(({ name, page }) => commandSection(name, page)),
    '.SH EXAMPLES',
    ...examples(RUN_HELP),
    '.SH ENVIRONMENT',
    ...ENVIRONMENT.map(([name, what]) => `.TP\n${bold(name)}\n${roff(what)}`),
    '.SH EXIT STATUS',
    ...exitStatus(),
    '.SH FILES',
    '.TP\n.B /run/nsrun\nthe kept sandboxes of root',
    '.TP\n.B $XDG_RUNTIME_DIR/nsrun, /tmp/nsrun\\-UID\nthe kept sandboxes of another user',
    '.SH SEE ALSO',
    '.BR unshare (1),\n.BR nsenter (1),\n.BR lsns (8),\n.BR bwrap (1),\n.BR namespaces (7),\n.BR user_namespaces (7)',
    '',
  ];
  return lines.join('\n');
}
