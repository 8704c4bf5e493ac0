import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base";

// The schemas are a subpath of their own, so the main entry loads no zod.
export default defineConfig(packageBuild({ index: "src/index.ts", schema: "src/schema.ts" }, { splitting: true }));
