/** Errors the CLI reports on stderr with exit code 2: each names the file or option, the field and the value. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 2 = 2,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Shows a value inside an error message: JSON-quoted and cut short, so control characters cannot leak. */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** At most 16 characters of a file's text from `at`, JSON-quoted: what an error may show of a file, never more. */
export function excerpt(text: string, at = 0): string {
  return JSON.stringify(text.slice(at, at + 16));
}
