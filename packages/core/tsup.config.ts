import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Options } from "tsup";
import { packageBuild } from "../../tsup.base";

const pkgDir = fileURLToPath(new URL(".", import.meta.url));
const src = resolve(pkgDir, "src");
// Pure helpers with no imports and no state, which a subpath may bundle a copy of.
const COPIED = new Set([resolve(src, "zod-issue.ts")]);

type EsbuildPlugin = NonNullable<Options["esbuildPlugins"]>[number];

/**
 * The main entry is one file (each module file costs node's loader a resolve, an async read and a compile
 * before the first line runs): a subpath imports whatever the main entry holds from the built main entry,
 * so there is one dataset, one set of classes and one merged-list registry, and bundles only the rest.
 */
function subpathsShareMainEntry(): EsbuildPlugin {
  return {
    name: "subpaths-share-main-entry",
    setup(build) {
      // tsup builds CommonJS as ESM and converts it afterwards; it names the format it is building in this define.
      const mainEntry = `./index.${build.initialOptions.define?.TSUP_FORMAT === '"cjs"' ? "cjs" : "js"}`;
      let main = new Set<string>();
      build.onStart(async () => {
        const r = await build.esbuild.build({ entryPoints: [resolve(src, "index.ts")], absWorkingDir: pkgDir, bundle: true, write: false, metafile: true, platform: "node", format: "esm", packages: "external", logLevel: "silent" });
        main = new Set(Object.keys(r.metafile.inputs).map((p) => resolve(pkgDir, p)));
      });
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === "entry-point" || main.has(args.importer)) return undefined;
        const file = resolve(args.resolveDir, args.path.replace(/\.js$/u, ".ts"));
        return main.has(file) && !COPIED.has(file) ? { path: mainEntry, external: true } : undefined;
      });
    },
  };
}

export default defineConfig(
  packageBuild(
    { index: "src/index.ts", schema: "src/schema.ts", "service-tags": "src/service-tags.ts", options: "src/options.ts", contract: "src/contract.ts", source: "src/source.ts" },
    {
      // `@internal` exports (one, for the service-tags subpath) stay out of the published typings.
      dts: { compilerOptions: { ignoreDeprecations: "6.0", stripInternal: true } },
      esbuildPlugins: [subpathsShareMainEntry()],
      // Less text for V8 to scan at import; names are kept, so stack traces still read.
      esbuildOptions: (o) => {
        o.minifyWhitespace = true;
        o.minifySyntax = true;
      },
    },
  ),
);
