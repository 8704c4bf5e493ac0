// Builds every workspace that has a build script, each after the workspaces it depends on
// (npm's own `--workspaces` runs them in the order of the globs, which is alphabetical).
import { spawnSync } from "node:child_process";
import { workspaces } from "./workspaces.mjs";

const only = process.argv.slice(2);
for (const { dir, manifest } of workspaces()) {
  if (!manifest.scripts?.build) continue;
  if (only.length && !only.some((o) => dir.startsWith(o))) continue;
  const r = spawnSync("npm", ["run", "build", "--silent"], { cwd: dir, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`build: ${manifest.name} (${dir}) failed with exit ${r.status ?? r.signal}`);
    process.exit(1);
  }
}
