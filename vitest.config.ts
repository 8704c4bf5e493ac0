import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const pkgs = fileURLToPath(new URL("./packages/", import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources; the pack test exercises the built dist.
    alias: [
      { find: /^@cassandra-mi-netrules\/core\/(schema|service-tags|source|options|contract)$/, replacement: `${pkgs}core/src/$1.ts` },
      { find: /^@cassandra-mi-netrules\/azure\/schema$/, replacement: `${pkgs}azure/src/schema.ts` },
      { find: /^@cassandra-mi-netrules\/testkit\/([a-z0-9-]+)$/, replacement: `${pkgs}testkit/src/$1.ts` },
      { find: /^@cassandra-mi-netrules\/([a-z0-9-]+)$/, replacement: `${pkgs}$1/src/index.ts` },
    ],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
  },
});
