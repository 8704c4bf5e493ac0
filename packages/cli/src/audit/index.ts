/**
 * `cli audit`: reads the input files, audits them subject by subject with `@cassandra-mi-netrules/azure`'s
 * `auditSubjects`, prints the report (table, JSON, SARIF or JUnit XML, see writers.ts) once it is whole and
 * maps its status to the exit code.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { auditSubjects, INPUT_LIMITS, InputError, readGraphExportPieces, type AuditOutline, type InputDocument, type InputFormat, type ReadResult, type SubjectStream } from "@cassandra-mi-netrules/azure";
import type { ResolvedRules } from "@cassandra-mi-netrules/core";
import { CliError, shown } from "../errors.js";
import { isRegularFile, readText, textPieces, type CliIO } from "../io.js";
import { readServiceTags, resolveFrom, type ResolveFlags } from "../resolve-opts.js";
import { signalTurns } from "../turns.js";
import type { OutputPiece } from "./spool.js";
import { AUDIT_OUTPUTS, EXIT_CODES, reportWriter, type AuditOutput, type ReportWriter } from "./writers.js";

export { AUDIT_OUTPUTS, EXIT_CODES, reportWriter, type AuditOutput, type ReportWriter };

export const AUDIT_FORMATS: readonly InputFormat[] = ["arm", "az", "resource-graph", "tfplan", "hcl"];

export interface AuditFlags extends ResolveFlags {
  readonly format?: InputFormat;
  readonly parameters?: string;
  readonly peer?: readonly string[];
  readonly output?: AuditOutput;
  readonly json?: boolean;
  readonly failOn?: "gap" | "warn";
}

function outputOf(flags: AuditFlags): AuditOutput {
  if (flags.json && flags.output !== undefined && flags.output !== "json") throw new CliError(`--json and --output ${flags.output}: give one of them`);
  return flags.json ? "json" : (flags.output ?? "table");
}

function readDocuments(io: CliIO, files: readonly string[]): InputDocument[] {
  if (files.filter((f) => f === "-").length > 1) throw new CliError("<file>: - (standard input) can be given once");
  return files.map((f) => {
    checkFileSize(io, f);
    return { name: f === "-" ? "(stdin)" : f, text: readText(io, f, "<file>") };
  });
}

/** Refused before it is read: a file past the readers' limit would only be loaded to be refused. */
function checkFileSize(io: CliIO, file: string): void {
  const size = file === "-" ? 0 : fileSize(resolve(io.cwd, file));
  if (size > INPUT_LIMITS.maxCharacters) throw new CliError(`<file> ${shown(file)}: ${size} bytes, more than the limit of ${INPUT_LIMITS.maxCharacters} characters`);
}

/**
 * One regular file read a piece at a time as a Resource Graph export (its text never whole in memory), or
 * undefined when it is not plainly one, or anything is in doubt: the file is then read whole, which says why.
 */
function readExportInPieces(io: CliIO, files: readonly string[], flags: AuditFlags): ReadResult | undefined {
  const [file] = files;
  if (files.length !== 1 || file === undefined || flags.parameters !== undefined || !isRegularFile(io, file)) return undefined;
  checkFileSize(io, file);
  return readGraphExportPieces(textPieces(io, file), flags.format === undefined ? {} : { format: flags.format });
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // readText reports what is wrong with the file
  }
}

/** The files read, before the audit starts: held by the command until `startAudit` takes them. */
interface Inputs {
  docs: InputDocument[] | undefined;
  /** The network when the one file was read in pieces (`docs` is then empty). */
  read: ReadResult | undefined;
  readonly parameters: InputDocument | undefined;
  readonly names: readonly string[];
}

/** Reads the files; the command holds them only through the `Inputs` it returns (no local of its own keeps their text). */
function readInputs(io: CliIO, files: readonly string[], flags: AuditFlags): Inputs {
  const read = readExportInPieces(io, files, flags);
  const docs = read === undefined ? readDocuments(io, files) : [];
  return { docs, read, names: read === undefined ? docs.map((d) => d.name) : files, parameters: flags.parameters === undefined ? undefined : { name: flags.parameters, text: readText(io, flags.parameters, "--parameters") } };
}

/** Starts the audit: reads the network and lets go of the files' text, which the subject stream does not hold. */
function startAudit(inputs: Inputs, resolved: ResolvedRules, flags: AuditFlags, serviceTags: Awaited<ReturnType<typeof readServiceTags>>): SubjectStream {
  const input = inputs.read ?? inputs.docs ?? [];
  inputs.docs = undefined;
  inputs.read = undefined;
  return libraryCall(() =>
    auditSubjects(input, {
      resolved,
      ...(serviceTags ? { serviceTags } : {}),
      ...(flags.peer ? { peers: flags.peer } : {}),
      ...(flags.failOn ? { failOn: flags.failOn } : {}),
      ...(flags.format ? { format: flags.format } : {}),
      ...(inputs.parameters ? { parameters: inputs.parameters } : {}),
    }),
  );
}

/** The library's input errors as the CLI's (exit 2). */
function libraryCall<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    if (e instanceof InputError) throw new CliError(`<file> ${shown(e.file)}: ${e.message.slice(e.file.length + 2)}`);
    if (e instanceof RangeError && e.message.startsWith("peers[")) throw new CliError(`--peer: ${e.message.slice(e.message.indexOf(":") + 2)}`);
    throw e;
  }
}

/** Milliseconds of evaluation between two turns of the event loop (where a signal is handled). */
const SIGNAL_TURN_MS = 10;

/**
 * Hands each subject to the writer as it comes (holding none), then prints the whole output; resolves with
 * the exit code. A failure on the way prints nothing on stdout and leaves no temporary file.
 */
export async function printReport(stream: SubjectStream, writer: ReportWriter, io: CliIO): Promise<number> {
  try {
    const outline = await addSubjects(stream, writer);
    await writePieces(writer.output(outline, io), io);
    return EXIT_CODES[outline.status];
  } finally {
    writer.close();
  }
}

/**
 * Each subject to the writer, the event loop let run every `SIGNAL_TURN_MS` between two subjects (and before the
 * first): a signal during the evaluation ends the run within a turn, not once the last subject is made.
 */
async function addSubjects(stream: SubjectStream, writer: ReportWriter): Promise<AuditOutline> {
  const turn = signalTurns(SIGNAL_TURN_MS);
  for (;;) {
    await turn();
    const next = libraryCall(() => stream.next());
    if (next.done) return next.value;
    writer.add(next.value);
  }
}

/** Each piece once the one before is taken: through `io.stdoutPaced` when the I/O has it (waiting on the event loop for a slow reader), else as text. */
export async function writePieces(pieces: Iterable<OutputPiece>, io: CliIO): Promise<void> {
  const paced = io.stdoutPaced;
  const text = new StringDecoder("utf8");
  for (const piece of pieces) {
    if (paced) await paced(piece);
    // Bytes may end inside a character: what the decoder holds goes out before the next text, and at the end.
    else io.stdout(typeof piece === "string" ? text.end() + piece : text.write(piece));
  }
  const rest = paced ? "" : text.end();
  if (rest) io.stdout(rest);
}

/**
 * Runs the audit command; resolves with the exit code. Reading the input is synchronous (a signal is handled
 * after it); the evaluation lets the event loop run between subjects and the printing waits for a slow reader on
 * it, so a signal ends the run at once there. A failure prints nothing on stdout.
 */
export async function runAuditCommand(io: CliIO, files: readonly string[], flags: AuditFlags): Promise<number> {
  const output = outputOf(flags);
  const inputs = readInputs(io, files, flags);
  const serviceTags = await readServiceTags(io, flags.serviceTags);
  const resolved = await resolveFrom(io, flags, flags.revision, serviceTags);
  const writer = reportWriter(output, { inputs: inputs.names, tagFile: flags.serviceTags, resolved, failOn: flags.failOn ?? "gap" });
  return printReport(startAudit(inputs, resolved, flags, serviceTags), writer, io);
}
