/**
 * The generated parts of the READMEs and the config file's JSON Schema, from the one list of targets (the
 * registry) and the packages' manifests and READMEs. `npm run generate` writes them; a test fails when
 * the committed files drift.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";
import type { EmitterOptionKey, EmitterRegistry, JsonSchema } from "@cassandra-mi-netrules/core";
import { configJsonSchema } from "../src/config.js";
import { targetFlags } from "../src/target-options.js";

export const ROOT: string = join(dirname(new URL(import.meta.url).pathname), "../../..");

/** Replaces what stands between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`. */
export function replaceSection(text: string, name: string, body: string, file: string): string {
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  if (a < 0 || b < a) throw new Error(`${file}: no ${open} ... ${close} section`);
  return `${text.slice(0, a + open.length)}\n${body.trimEnd()}\n${text.slice(b)}`;
}

/** A table cell: one line, pipes escaped, `<` and `>` as entities (no HTML), `-` when empty. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\s*\n\s*/g, " ") || "-";

/** What a value may be, from its JSON Schema: `"subnet"` \| `"vnet"`, an integer range, a list of strings. */
function valueOf(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" | ");
  const t = schema.type;
  if (t === "integer") {
    const min = typeof schema.minimum === "number" ? schema.minimum : undefined;
    const max = typeof schema.maximum === "number" ? schema.maximum : undefined;
    return min !== undefined && max !== undefined ? `integer, ${min}-${max}` : min !== undefined ? `integer, at least ${min}` : "integer";
  }
  if (t === "array") return `list of ${(schema.items as JsonSchema | undefined)?.type ?? "values"}s`;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as JsonSchema[]).map((s) => (s.type === "object" ? "object" : String(s.type))).join(" or ");
  return typeof t === "string" ? t : "object";
}

function flagOf(k: EmitterOptionKey): string {
  const f = k.flag;
  if (!f) return "";
  return `\`--${f.name}${f.value === undefined ? "" : f.optionalValue ? ` [${f.value}]` : ` <${f.value}>`}\``;
}

/** One table per target: option, flag, value, default, what it does. */
export function optionsTables(registry: EmitterRegistry): string {
  const out: string[] = [];
  for (const name of registry.names()) {
    const e = registry.get(name);
    const keys = (e?.options?.keys ?? []).filter((k) => !k.internal);
    out.push(`### \`${name}\``, "");
    if (keys.length === 0) {
      out.push("No options.", "");
      continue;
    }
    out.push("| option | flag | value | default | what it does |", "| --- | --- | --- | --- | --- |");
    for (const k of keys) {
      const def = "default" in k.schema ? `\`${JSON.stringify(k.schema.default)}\`` : "";
      out.push(`| \`${k.key}\` | ${flagOf(k) || "-"} | ${cell(valueOf(k.schema))} | ${def || "-"} | ${cell(k.description)} |`);
    }
    out.push("");
  }
  return out.join("\n");
}

/** The flags every emitter-rendering command takes, from the declarations. */
export function flagsTable(registry: EmitterRegistry): string {
  const rows = targetFlags(registry).map((f) => {
    const spec = `--${f.name}${f.value === undefined ? "" : f.optionalValue ? ` [${f.value}]` : ` <${f.value}>`}`;
    const options = f.uses.map((u) => `${u.target}.${u.key.key}`).join(", ");
    return `| \`${spec}\` | ${options} | ${cell(f.description.slice(f.description.indexOf(": ") + 2))} |`;
  });
  return ["| flag | sets | what it does |", "| --- | --- | --- |", ...rows].join("\n");
}

/** `azure-firewall`, `iptables`, ... with each one's description. */
export function targetList(registry: EmitterRegistry): string {
  return registry
    .names()
    .map((n) => `- \`${n}\`: ${cell(registry.get(n)?.description ?? "")}`)
    .join("\n");
}

interface Manifest {
  readonly name: string;
  readonly description?: string;
  readonly private?: boolean;
}

/** Every publishable package, core first, the CLI last, the others by name. */
export function packagesTable(root = ROOT): string {
  const dirs = readdirSync(join(root, "packages")).filter((d) => existsSync(join(root, "packages", d, "package.json")));
  const rows = dirs
    .map((d) => ({ dir: d, m: JSON.parse(readFileSync(join(root, "packages", d, "package.json"), "utf8")) as Manifest }))
    .filter((p) => !p.m.private)
    .sort((a, b) => {
      const rank = (d: string) => (d === "core" ? 0 : d === "cli" ? 2 : 1);
      return rank(a.dir) - rank(b.dir) || (a.dir < b.dir ? -1 : 1);
    })
    .map((p) => `| [\`${p.m.name}\`](packages/${p.dir}/README.md) | ${cell(p.m.description ?? "")} |`);
  return ["| package | what it is |", "| --- | --- |", ...rows].join("\n");
}

/** A relative link of a package README, made relative to the repository root. */
function rootLink(pkgDir: string, target: string): string {
  if (/^([a-z]+:|#|\/)/.test(target)) return target;
  return posix.normalize(posix.join(`packages/${pkgDir}`, target));
}

/**
 * The limits of every registered target, each from its package README's `<!-- summary: TITLE -->` block,
 * as the root README's `### TITLE (\`emit-x\`)` sections.
 */
export function limitsSections(registry: EmitterRegistry, root = ROOT): string {
  const out: string[] = [];
  for (const name of registry.names()) {
    const pkg = registry.get(name)?.package?.name ?? "";
    const dir = pkg.replace(/^@cassandra-mi-netrules\//, "");
    const file = join(root, "packages", dir, "README.md");
    if (!existsSync(file)) throw new Error(`target ${name}: no packages/${dir}/README.md with a <!-- summary: TITLE --> block`);
    const text = readFileSync(file, "utf8");
    const m = /<!-- summary: (.+?) -->\n([\s\S]*?)\n<!-- \/summary -->/.exec(text);
    if (!m) throw new Error(`${relative(root, file)}: no <!-- summary: TITLE --> ... <!-- /summary --> block (what the target can and cannot do, for the root README)`);
    const body = (m[2] ?? "").trim().replace(/\]\(([^)]+)\)/g, (_, t: string) => `](${rootLink(dir, t)})`);
    const details = `([details](packages/${dir}/README.md)).`;
    out.push(`<!-- section:${dir} -->`, `### ${m[1]} (\`${dir}\`)`, "", `${body.replace(/\.$/, "")} ${details}`, `<!-- /section:${dir} -->`, "");
  }
  return out.join("\n");
}

/** The generated files: path and content, for `npm run generate` to write and the drift test to compare. */
export function generatedFiles(registry: EmitterRegistry, root = ROOT): { path: string; content: string }[] {
  const read = (p: string) => readFileSync(join(root, p), "utf8");
  let readme = read("README.md");
  readme = replaceSection(readme, "targets", targetList(registry), "README.md");
  readme = replaceSection(readme, "packages", packagesTable(root), "README.md");
  readme = replaceSection(readme, "options", optionsTables(registry), "README.md");
  readme = replaceSection(readme, "limits", limitsSections(registry, root), "README.md");
  let cliReadme = read("packages/cli/README.md");
  cliReadme = replaceSection(cliReadme, "targets", targetList(registry), "packages/cli/README.md");
  cliReadme = replaceSection(cliReadme, "flags", flagsTable(registry), "packages/cli/README.md");
  return [
    { path: "README.md", content: readme },
    { path: "packages/cli/README.md", content: cliReadme },
    { path: "schemas/config.schema.json", content: `${JSON.stringify(configJsonSchema(registry), null, 2)}\n` },
  ];
}
