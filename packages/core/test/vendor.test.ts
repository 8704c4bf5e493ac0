// The reference data under vendor/ is byte for byte what vendor/SOURCES.md says it is.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const vendor = new URL("../../../vendor/", import.meta.url);
const SOURCES = readFileSync(new URL("SOURCES.md", vendor), "utf8");

/** Every table row of SOURCES.md that names a local file, its byte count and its sha256. */
function listed(): Array<{ file: string; bytes: number; sha256: string }> {
  const out: Array<{ file: string; bytes: number; sha256: string }> = [];
  for (const line of SOURCES.split("\n")) {
    const file = /^\| `([^`]+)` \|/u.exec(line)?.[1];
    const sha256 = /`([0-9a-f]{64})` \|$/u.exec(line)?.[1];
    const bytes = /\| (\d+) \| `[0-9a-f]{64}` \|$/u.exec(line)?.[1];
    if (file && sha256 && bytes) out.push({ file, bytes: Number(bytes), sha256 });
  }
  return out;
}

describe("vendor/", () => {
  const files = listed();

  it("SOURCES.md lists the ARM schemas, the service-tags file, the regions, the five pages, the UDR sample's prefix lists and the azurerm attributes", () => {
    expect(files.filter((f) => f.file.startsWith("arm-schemas/"))).toHaveLength(8);
    expect(files.map((f) => f.file)).toEqual(
      expect.arrayContaining([
        "service-tags/ServiceTags_Public_20251028.json",
        "regions/locations.tf.json",
        "pages/network-rules.fr.2021-05-21.seed.md",
        "pages/network-rules.en.2021-11-02.current.md",
        "pages/network-rules.fr.2021-11-02.ga-handoff.md",
        "pages/network-rules.de.2021-11-02.ga-handoff.md",
        "pages/source-history.md",
        "udr/configureUDR.62eb687.prefixes.txt",
        "udr/configureUDR.592d4060.prefixes.txt",
        "azurerm/attributes.json",
      ]),
    );
  });

  it.each(listed())("$file has the listed size and sha256", ({ file, bytes, sha256 }) => {
    const url = new URL(file, vendor);
    expect(existsSync(url), file).toBe(true);
    const body = readFileSync(url);
    expect(body.length).toBe(bytes);
    expect(createHash("sha256").update(body).digest("hex")).toBe(sha256);
  });
});
