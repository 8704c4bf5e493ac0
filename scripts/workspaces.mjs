// The workspaces of this repository, read from the root package.json's globs, in dependency order.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function expand(pattern) {
  if (!pattern.endsWith("/*")) return [pattern];
  const dir = pattern.slice(0, -2);
  return readdirSync(join(root, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, dir, d.name, "package.json")))
    .map((d) => `${dir}/${d.name}`)
    .sort();
}

/** Every workspace as `{ dir, manifest }`, each after the workspaces it depends on. */
export function workspaces() {
  const { workspaces: globs } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const all = globs.flatMap(expand).map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) }));
  const byName = new Map(all.map((w) => [w.manifest.name, w]));
  const ordered = [];
  const state = new Map();
  const visit = (w, trail) => {
    if (state.get(w) === "done") return;
    if (state.get(w) === "visiting") throw new Error(`workspaces: dependency cycle ${[...trail, w.manifest.name].join(" -> ")}`);
    state.set(w, "visiting");
    const m = w.manifest;
    for (const dep of Object.keys({ ...m.dependencies, ...m.devDependencies, ...m.peerDependencies }).sort()) {
      const target = byName.get(dep);
      if (target) visit(target, [...trail, m.name]);
    }
    state.set(w, "done");
    ordered.push(w);
  };
  for (const w of all) visit(w, []);
  return ordered;
}
