/**
 * HCL to JSON with HashiCorp's own HCL parser (Go, compiled to WebAssembly), as `@cdktn/hcl2json` ships
 * it. The package's API is asynchronous, but the parser answers within the call, so it is driven here
 * directly and the readers stay synchronous. Loaded on first use: the main entry costs nothing until a
 * reader meets HCL. The version is pinned: this relies on the package's layout (`main.wasm.gz`,
 * `wasm/bridge_wasm_exec.js`) and the name its bridge registers.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";

type ParseCallback = (error: string | null, json?: string) => void;
type Bridge = { parse?: (file: string, text: string, done: ParseCallback) => void };

/** What this module uses of the WebAssembly API and of the Go runtime's loader (the project's types carry no DOM). */
interface WasmGlobals {
  readonly Go: new () => { importObject: object; run(instance: object): Promise<void> };
  readonly WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object, imports: object) => object };
}

let bridge: Bridge | undefined;

function load(): Bridge {
  if (bridge) return bridge;
  // CommonJS builds have __filename; ES modules have import.meta.url.
  const req = createRequire(typeof __filename === "string" ? __filename : import.meta.url);
  const dir = dirname(req.resolve("@cdktn/hcl2json/package.json"));
  req(join(dir, "wasm", "bridge_wasm_exec.js"));
  const { Go, WebAssembly: wasm } = globalThis as unknown as WasmGlobals;
  const go = new Go();
  const instance = new wasm.Instance(new wasm.Module(gunzipSync(readFileSync(join(dir, "main.wasm.gz")))), go.importObject);
  const root: Bridge = {};
  (globalThis as Record<string, unknown>).__parse_terraform_config_wasm__ = root;
  // The Go program registers its functions and then waits; `run` returns once it waits.
  void go.run(instance);
  bridge = root;
  return root;
}

/** The HCL text as JSON (hcl2json's form: blocks as arrays, expressions as `${...}` strings), or the parser's diagnostic. */
export function hclToJson(file: string, text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const parse = load().parse;
  if (!parse) return { ok: false, reason: "the HCL parser did not start" };
  let result: { ok: true; value: unknown } | { ok: false; reason: string } = { ok: false, reason: "the HCL parser gave no answer" };
  parse(file, text, (error, json) => {
    result = error ? { ok: false, reason: error } : { ok: true, value: JSON.parse(json ?? "null") };
  });
  return result;
}
