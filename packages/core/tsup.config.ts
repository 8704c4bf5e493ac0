import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base";

export default defineConfig(
  packageBuild({ index: "src/index.ts", schema: "src/schema.ts", "service-tags": "src/service-tags.ts", source: "src/source.ts" }),
);
