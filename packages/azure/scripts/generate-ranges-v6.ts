/**
 * Writes src/generated/ranges-v6.ts, the IPv6 copy of src/evaluate/ranges.ts. `--check` (and any run with CI set)
 * writes nothing and exits 1 when the file is out of date.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { rangesV6Source } from "./ranges-v6.js";
import { writeGenerated } from "./write-generated.js";

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
writeGenerated(join(pkgDir, "src/generated/ranges-v6.ts"), rangesV6Source(readFileSync(join(pkgDir, "src/evaluate/ranges.ts"), "utf8")), resolve(pkgDir, "../.."));
