/** A plain aligned table: a header row and columns padded to their widest cell. */
import { escapeText } from './escape.js';

/** One column: its heading, and whether its cells align right (numbers). */
export interface Column {
  readonly heading: string;
  readonly right?: boolean;
}

/** The text of a table, one line per row, the last column unpadded; what a cell holds that a terminal would act on is escaped. */
export function formatTable(columns: readonly Column[], given: readonly (readonly string[])[]): string {
  const rows = given.map((cells) => cells.map(escapeText));
  const widths = columns.map((c, i) => Math.max(c.heading.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        if (i === columns.length - 1 && c.right !== true) return cell;
        return c.right === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0);
      })
      .join(' ')
      .trimEnd();
  return [columns.map((c) => c.heading), ...rows].map(line).join('\n') + '\n';
}
