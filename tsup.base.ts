import type { Options } from "tsup";

/** One build recipe for every package: ESM + CJS + .d.ts, nothing bundled from node_modules. */
export function packageBuild(entry: Record<string, string>, extra: Partial<Options> = {}): Options {
  return {
    entry,
    format: ["esm", "cjs"],
    dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
    sourcemap: false,
    clean: true,
    target: "node20",
    platform: "node",
    splitting: false,
    treeshake: true,
    ...extra,
  };
}
