import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base";

// shims: the CommonJS build gets `import.meta.url`, with which src/handlebars.ts loads Handlebars on first use.
export default defineConfig(packageBuild({ index: "src/index.ts" }, { shims: true }));
