// CSV for the simulator's per-epoch figures: RFC 4180, so that a spreadsheet, pandas or R reads it
// without options. Amounts that are bigints in the runtime arrive as decimal strings or bigints and
// are written digit for digit; nothing here rounds.

/** A cell: a number, a bigint, a decimal (or any) string, or null for a missing value. */
export type CsvValue = string | number | bigint | null;

const NEEDS_QUOTES = /[",\r\n]/;

function field(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function cell(column: string, value: CsvValue | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new RangeError(`CSV column ${column}: ${value} is not a finite number (use null)`);
    }
    return String(value);
  }
  return field(typeof value === "bigint" ? value.toString() : value);
}

/**
 * RFC 4180 CSV: a header line of `columns`, one line per row, CRLF line breaks, a final CRLF.
 * A null or absent value is an empty cell; numbers and bigints are written exactly (shortest
 * round-trip form for numbers), strings as given, quoted when they hold `"`, `,`, CR or LF.
 * A non-finite number throws: a missing figure must be null, not NaN.
 */
export function toCsv(
  columns: readonly string[],
  rows: readonly Record<string, CsvValue>[],
): string {
  const lines = [columns.map(field).join(",")];
  for (const row of rows) lines.push(columns.map((c) => cell(c, row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
