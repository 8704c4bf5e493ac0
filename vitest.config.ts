import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const pkgs = fileURLToPath(new URL("./packages/", import.meta.url));

/**
 * The suites, by file. `npm test` runs `unit` (unit tests, golden files, the emitter contract, the CLI in-process);
 * `npm run ci` runs every suite; `npm run test:<suite>` runs one. A test file belongs to exactly one suite
 * (test/suites.test.ts checks it).
 */
export const SUITES: Readonly<Record<string, readonly string[]>> = {
  // Real kernels in network namespaces (iptables on both backends, nftables), and the committed artifacts through every real validator.
  kernel: ["packages/emit-iptables/test/**/*.test.ts", "packages/emit-nftables/test/**/*.test.ts", "test/examples.test.ts"],
  // The real opa: the bundle's own tests, and the TypeScript audit against it.
  opa: ["packages/emit-opa/test/**/*.test.ts"],
  // fast-check over generated datasets and hostile strings, and matrices over every region and revision, through the real validators.
  property: ["test/property/**/*.test.ts", "packages/*/test/**/*property*.test.ts", "packages/*/test/property/**/*.test.ts", "packages/emit-terraform/test/matrix.test.ts"],
  // The docs site in Chromium.
  browser: ["examples/docs-site/test/**/*.browser.test.ts"],
  // The built command line as a process (after npm run build): every command, the help examples, the conventions, plugins, the quick start.
  bin: [
    "test/cli.test.ts",
    "test/cli-conventions.test.ts",
    "test/cli-source-diff.test.ts",
    "test/help-examples.test.ts",
    "test/markdown-targets.test.ts",
    "test/plugins.test.ts",
    "test/quickstart.test.ts",
  ],
  // npm pack and a fresh install outside the workspace.
  pack: ["test/pack.test.ts"],
  // SIGINT and SIGTERM at many points of emit all --out.
  signals: ["test/signals.test.ts"],
};

/** 120 s a test per 1,000 cases of `FC_NUM_RUNS` (default 1,000), never less than 120 s. */
function propertyTimeout(): number {
  const runs = Number(process.env.FC_NUM_RUNS ?? 1000);
  return Math.max(120_000, Math.ceil((Number.isFinite(runs) ? runs : 1000) / 1000) * 120_000);
}

const ALL = ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/*/test/**/*.test.ts"];

export default defineConfig({
  resolve: {
    // Tests run against the sources; the pack test exercises the built dist.
    alias: [
      { find: /^@cassandra-mi-netrules\/core\/(schema|service-tags|source|options|contract)$/, replacement: `${pkgs}core/src/$1.ts` },
      { find: /^@cassandra-mi-netrules\/azure\/schema$/, replacement: `${pkgs}azure/src/schema.ts` },
      { find: /^@cassandra-mi-netrules\/linux\/options$/, replacement: `${pkgs}linux/src/options.ts` },
      { find: /^@cassandra-mi-netrules\/testkit\/([a-z0-9-]+)$/, replacement: `${pkgs}testkit/src/$1.ts` },
      { find: /^@cassandra-mi-netrules\/([a-z0-9-]+)$/, replacement: `${pkgs}$1/src/index.ts` },
    ],
  },
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    // Vitest's default is one worker less than the CPUs: one on a 2-CPU machine, where most tests wait on a child process.
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      { extends: true as const, test: { name: "unit", include: ALL, exclude: ["**/node_modules/**", ...Object.values(SUITES).flat()] } },
      ...Object.entries(SUITES).map(([name, include]) => ({
        extends: true as const,
        // A property's cost grows with its case count: its time limit grows with it (10,000 cases: 20 minutes a test).
        test: { name, include: [...include], ...(name === "property" ? { testTimeout: propertyTimeout() } : {}) },
      })),
    ],
  },
});
