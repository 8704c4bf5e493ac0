import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base";

// Shared chunks, so the subpaths reuse the main entry's dataset instead of bundling a copy of it.
export default defineConfig(
  packageBuild(
    { index: "src/index.ts", schema: "src/schema.ts", "service-tags": "src/service-tags.ts", options: "src/options.ts", contract: "src/contract.ts", source: "src/source.ts" },
    // Honour the subpaths' bare `import "./index.js"` although the package is marked free of side effects.
    { splitting: true, esbuildOptions: (o) => void (o.ignoreAnnotations = true) },
  ),
);
