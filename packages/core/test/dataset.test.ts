// The dataset against the reference: source-history.md (every state, row for row, read by ./history.ts)
// and the two vendored copies of the page (the provenance each requirement records).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allRequirements, getRevision, requiredRules, revisions } from "@cassandra-mi-netrules/core";
import type { Requirement } from "@cassandra-mi-netrules/core";
import { FILE_TAG_NAMES, gaTagOrderInProse, HISTORY_TEXT, historyStates } from "./history.js";

const history = historyStates();
const LOCATIONS = new Set(
  (
    JSON.parse(readFileSync(new URL("../../../vendor/regions/locations.tf.json", import.meta.url), "utf8")) as {
      locals: { locations_cached: { value: Array<{ name: string }> } };
    }
  ).locals.locations_cached.value.map((l) => l.name),
);
const REVISION_IDS = ["2021-05-21", "2021-08-14", "2021-09-13", "2021-11-02"] as const;

const inTable = (rs: readonly Requirement[], table: string) => rs.filter((r) => r.provenance.table === table);
const tagsOf = (r: Requirement) => r.destinations.flatMap((d) => (d.type === "serviceTag" ? [d] : []));

/** The data's Azure Global rows in the shape of the history's. */
const fqdnRows = (rs: readonly Requirement[]) =>
  inTable(rs, "azure-global").map((r) => ({
    fqdn: r.destinations.find((d) => d.type === "fqdn")?.fqdn,
    tag: tagsOf(r)[0]?.tag ?? null,
    protocol: r.protocol,
    ports: r.ports,
  }));
const tagRows = (rs: readonly Requirement[]) =>
  inTable(rs, "service-tags").map((r) => {
    const [d, ...more] = tagsOf(r);
    return { tag: d && more.length === 0 ? `${d.tag}${d.regionalOnly ? ".{region}" : ""}` : "?", protocol: r.protocol, ports: r.ports };
  });

describe("every revision reproduces source-history.md row for row", () => {
  it("the history as read has the counts the issue gives: FQDN 8/9/16/16, tags 0/8/8/9, prefixes 0/0/0/3, internal 5", () => {
    expect(REVISION_IDS.map((id) => history[id].fqdn.length)).toEqual([8, 9, 16, 16]);
    expect(REVISION_IDS.map((id) => history[id].tags.length)).toEqual([0, 8, 8, 9]);
    expect(REVISION_IDS.map((id) => history[id].prefixes.length)).toEqual([0, 0, 0, 3]);
    expect(REVISION_IDS.map((id) => history[id].internal.length)).toEqual([5, 5, 5, 5]);
    // V4 lists the GA tag order in prose; the V6 table it is said to equal has the same order.
    expect(history["2021-11-02"].tags.map((t) => t.written)).toEqual(gaTagOrderInProse());
  });

  it("has the four rule-changing states, oldest first, current last, each with its source", () => {
    expect(revisions.map((r) => r.id)).toEqual([...REVISION_IDS]);
    expect(revisions.map((r) => r.status)).toEqual(["preview", "preview", "preview", "ga"]);
    expect(requiredRules).toBe(getRevision("2021-11-02").requirements);
    for (const r of revisions) {
      // The commit and the hand-off date are the ones the history gives as evidence.
      expect(HISTORY_TEXT, r.id).toContain(r.source.commit);
      if (r.source.handoff) {
        const [y, m, d] = r.source.handoff.split("-");
        expect(HISTORY_TEXT, r.id).toContain(`ms.lasthandoff: ${m}/${d}/${y}`);
      }
    }
  });

  it.each(REVISION_IDS)("%s: Azure Global rows, value for value and in page order", (id) => {
    const expected = history[id].fqdn.map((h) => ({ fqdn: h.fqdn, tag: h.tag, protocol: h.protocol, ports: [{ from: h.port, to: h.port }] }));
    expect(fqdnRows(getRevision(id).requirements)).toEqual(expected);
  });

  it.each(REVISION_IDS)("%s: service-tag rows under their canonical names, value for value and in page order", (id) => {
    const expected = history[id].tags.map((h) => ({ tag: h.canonical, protocol: h.protocol, ports: [{ from: h.port, to: h.port }] }));
    expect(tagRows(getRevision(id).requirements)).toEqual(expected);
  });

  it.each(REVISION_IDS)("%s: address prefixes and internal ports", (id) => {
    const rs = getRevision(id).requirements;
    expect(rs.flatMap((r) => r.destinations.flatMap((d) => (d.type === "prefixes" ? d.prefixes : [])))).toEqual(history[id].prefixes);
    const internal = rs.filter((r) => r.kind === "internal");
    expect(internal.map((r) => r.ports)).toEqual(history[id].internal.map((p) => [{ from: p, to: p }]));
    expect(inTable(rs, "internal-ports")).toEqual(internal);
    expect(rs).toHaveLength(history[id].fqdn.length + history[id].tags.length + (history[id].prefixes.length > 0 ? 1 : 0) + history[id].internal.length);
  });

  it("the page's misspellings are provenance: the row as written and a note, the data under the canonical name", () => {
    const misspelled = REVISION_IDS.flatMap((id) => history[id].tags.filter((t) => t.written !== t.canonical && !t.written.endsWith(".{region}")).map((t) => ({ id, ...t })));
    expect(misspelled.map((m) => [m.id, m.written])).toEqual([
      ["2021-08-14", "GuestandHybridManagement"],
      ["2021-11-02", "AzureFrontDoor.Firstparty"],
    ]);
    for (const m of misspelled) {
      const req = getRevision(m.id).requirements.find((r) => tagsOf(r).some((d) => d.tag === m.canonical) && r.provenance.table === "service-tags");
      expect(req?.provenance.asWritten[m.id], m.written).toContain(m.written);
      expect(req?.provenance.notes.some((n) => n.en.includes(m.written) && n.fr.includes(m.written)), m.written).toBe(true);
    }
  });
});

describe("requirements as the design describes them", () => {
  it("ids are unique kebab-case; every requirement has an English and a French purpose, the French one translated", () => {
    const ids = allRequirements.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of allRequirements) {
      expect(r.id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      for (const text of [r.purpose, ...r.inferred, ...r.conditions, ...r.provenance.notes]) {
        expect(text.en.trim(), r.id).not.toBe("");
        expect(text.fr.trim(), r.id).not.toBe("");
        expect(text.fr, r.id).not.toBe(text.en);
      }
      expect(r.provenance.since).toBe(r.provenance.revisions[0]);
    }
  });

  it("service tags carry the canonical name of the vendored service-tags file and whether it has regional forms", () => {
    for (const r of allRequirements) {
      for (const d of tagsOf(r)) {
        expect(FILE_TAG_NAMES, r.id).toContain(d.tag);
        // A regional form is `Tag.Region` where Region, lower-cased, is an ARM location (not `Tag.ServiceEndpoint`).
        const forms = FILE_TAG_NAMES.filter((n) => n.startsWith(`${d.tag}.`) && LOCATIONS.has(n.slice(d.tag.length + 1).toLowerCase()));
        expect(d.regional, `${r.id} ${d.tag}`).toBe(forms.length > 0);
      }
    }
  });

  it("records what the source leaves unsaid as inferences", () => {
    const about = (r: Requirement) => r.inferred.map((i) => i.about);
    // How {region} is filled, wherever a host holds it.
    for (const r of allRequirements.filter((q) => q.destinations.some((d) => d.type === "fqdn" && d.fqdn.includes("{region}")))) {
      expect(about(r), r.id).toContain("fqdn.region");
    }
    // The protocol of every internal port, which the page never gives.
    for (const r of allRequirements.filter((q) => q.kind === "internal")) {
      expect(r.protocol).toBe("TCP");
      expect(about(r), r.id).toContain("protocol");
    }
    // The port of the three GA prefixes, the meaning of 8443, the mapping of each alternative label to a tag.
    expect(about(allRequirements.find((r) => r.id === "microsoft-prefixes") as Requirement)).toContain("ports");
    expect(about(allRequirements.find((r) => r.ports[0]?.from === 8443) as Requirement)).toContain("purpose");
    for (const r of inTable(allRequirements, "azure-global").filter((q) => tagsOf(q).length > 0)) expect(about(r), r.id).toContain("serviceTag");
  });

  it("the data is frozen", () => {
    expect(Object.isFrozen(requiredRules)).toBe(true);
    expect(Object.isFrozen(requiredRules[0]?.destinations)).toBe(true);
    expect(() => {
      (requiredRules as Requirement[]).push(requiredRules[0] as Requirement);
    }).toThrow();
  });
});

/** The rows of a vendored page as `provenance.asWritten` records them (see the type's documentation). */
function rowsAsWritten(page: string): { table: string[]; prefixes: string } {
  const lines = page.split("\n");
  const cells = (line: string) => line.trim().replace(/^\|/u, "").replace(/\|$/u, "").split("|").map((c) => c.trim());
  const readable = (cell: string) => cell.replace(/<\/?br\s*\/?>/giu, " ").replace(/\[([^\]]*)\]\([^)]*\)/gu, "$1").replace(/\s+/gu, " ").trim();
  const table: string[] = [];
  for (const line of lines) {
    if (!line.startsWith("|") || /^\|\s*-/u.test(line) || /^\|\s*(Point de terminaison|Destination|Port)\b/u.test(line)) continue;
    const [first = "", second = ""] = cells(line);
    table.push(/^\d+$/u.test(first) ? readable(`${first} | ${second}`) : readable(first));
  }
  const prefixes = lines.filter((l) => /^- \d/u.test(l)).map((l) => l.slice(2).trim());
  return { table, prefixes: prefixes.join(", ") };
}

describe("provenance.asWritten is the row as the source wrote it", () => {
  const pages = {
    "2021-05-21": readFileSync(new URL("../../../vendor/pages/network-rules.fr.2021-05-21.seed.md", import.meta.url), "utf8"),
    "2021-11-02": readFileSync(new URL("../../../vendor/pages/network-rules.en.2021-11-02.current.md", import.meta.url), "utf8"),
  } as const;

  it.each(Object.keys(pages) as Array<keyof typeof pages>)("%s: every rule row of the vendored page, and nothing else", (id) => {
    const { table, prefixes } = rowsAsWritten(pages[id]);
    const recorded = getRevision(id).requirements.map((r) => r.provenance.asWritten[id]);
    expect(recorded.filter((w) => w !== undefined && w !== prefixes).sort()).toEqual([...table].sort());
    expect(recorded).not.toContain(undefined);
    if (prefixes !== "") expect(recorded).toContain(prefixes);
  });

  it("2021-08-14 and 2021-09-13 (no copy of the page): each recorded row stands in source-history.md", () => {
    for (const id of ["2021-08-14", "2021-09-13"]) {
      for (const r of getRevision(id).requirements) {
        const written = r.provenance.asWritten[id];
        if (written !== undefined) expect(HISTORY_TEXT, `${r.id} ${id}`).toContain(written);
      }
    }
  });
});
