/**
 * The emitter contract suite for vitest: `describeEmitterContract(emitter, { validate })` registers one test
 * per check of `emitterContract` (@cassandra-mi-netrules/core/contract). The family validators below are the
 * targets' real validators, ready to plug in; a new family brings its own (an HCL parser for Terraform).
 */
import { spawnSync } from "node:child_process";
import { type ContractOptions, emitterContract, type FamilyValidator } from "@cassandra-mi-netrules/core/contract";
import type { EmitResult, Emitter } from "@cassandra-mi-netrules/core";
import { describe, it } from "vitest";
import { validateArmTemplate } from "./arm.js";
import { formatIssues, lintMarkdownStrings } from "./markdownlint.js";
import { opaCheckStrict, removeTree, writeTree } from "./opa.js";

/** Registers the contract's checks for `emitter` as one describe block. */
export function describeEmitterContract<O>(emitter: Emitter<O>, options: ContractOptions = {}): void {
  describe(`emitter contract: ${emitter.name}`, () => {
    for (const check of emitterContract(emitter, options)) it(check.name, () => check.run());
  });
}

const problem = (what: string, detail: string): never => {
  throw new Error(`${what}: ${detail.slice(0, 2000)}`);
};

/** Every `.json` file that is an ARM deployment template passes the official schemas and the semantic checks. */
export const armFamily: FamilyValidator = (result: EmitResult) => {
  for (const f of result.files.filter((x) => x.path.endsWith(".json"))) {
    const r = validateArmTemplate(f.content);
    if (!r.ok) problem(f.path, r.errors.join("; "));
  }
};

/** Every `.md` file passes markdownlint with the repository's config. */
export const markdownFamily: FamilyValidator = (result: EmitResult) => {
  const pages = result.files.filter((f) => f.path.endsWith(".md"));
  if (pages.length === 0) return;
  const r = lintMarkdownStrings(pages);
  if (r.exitCode !== 0 || r.issues.length > 0) problem("markdownlint", formatIssues(r) || r.output);
};

/** The files, written as a bundle, pass `opa check --strict`. */
export const opaFamily: FamilyValidator = (result: EmitResult) => {
  const dir = writeTree(result.files, "cmn-contract-opa-");
  try {
    const r = opaCheckStrict(dir);
    if (r.status !== 0) problem("opa check --strict", r.stdout + r.stderr);
  } finally {
    removeTree(dir);
  }
};

function sh(cmd: string, args: readonly string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync(cmd, [...args], { encoding: "utf8", ...(input !== undefined ? { input } : {}) });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Every `.sh` file parses (`bash -n`) and passes shellcheck. */
export const shellFamily: FamilyValidator = (result: EmitResult) => {
  for (const f of result.files.filter((x) => x.path.endsWith(".sh"))) {
    const n = sh("bash", ["-n"], f.content);
    if (n.status !== 0) problem(`${f.path}: bash -n`, n.out);
    const c = sh("shellcheck", ["-"], f.content);
    if (c.status !== 0) problem(`${f.path}: shellcheck`, c.out);
  }
};

/** Every `.nft` file passes `nft -c -f` in a private network namespace. */
export const nftFamily: FamilyValidator = (result: EmitResult) => {
  for (const f of result.files.filter((x) => x.path.endsWith(".nft"))) {
    const dir = writeTree([f], "cmn-contract-nft-");
    try {
      const r = sh("unshare", ["-n", "nft", "-c", "-f", `${dir}/${f.path}`]);
      if (r.status !== 0) problem(`${f.path}: nft -c`, r.out);
    } finally {
      removeTree(dir);
    }
  }
};

/** Several validators, each over the same output. */
export function allOf(...validators: readonly FamilyValidator[]): FamilyValidator {
  return async (result, scenario) => {
    for (const v of validators) await v(result, scenario);
  };
}
