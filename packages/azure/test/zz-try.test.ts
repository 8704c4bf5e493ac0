import { readFileSync, readdirSync } from "node:fs";
import { readNetwork, unknownsIn } from "@cassandra-mi-netrules/azure";
import { it } from "vitest";
const C = "packages/azure/test/corpus/";
const doc = (p: string) => ({ name: p.split("/").pop() as string, text: readFileSync(C + p, "utf8") });
it("try", () => {
  for (const dir of readdirSync(C).filter((d) => !d.includes("."))) for (const f of readdirSync(C + dir).filter((x) => /\.(json|tf)$/.test(x) && !x.includes("parameters") && !x.startsWith("expected") && !/Get\.json$/.test(x))) {
    const p = `${dir}/${f}`;
    try {
      const r = readNetwork(doc(p));
      const n = r.network;
      console.log(p, r.format, "nsg", n.networkSecurityGroups.map((x) => `${String(x.name)}:${x.properties.securityRules.length}`).join(","), "rt", n.routeTables.map((x) => `${String(x.name)}:${x.properties.routes.length}`).join(","), "pol", n.firewallPolicies.length, "rcg", n.firewallPolicyRuleCollectionGroups.length, "fw", n.azureFirewalls.length, "ipg", n.ipGroups.length, "subnets", n.subnets.map((s) => `${String(s.name)}>${JSON.stringify(s.properties.networkSecurityGroup?.id ?? "")}`).join(","), "unread", n.unread.length, "unknowns", unknownsIn(n).length, JSON.stringify(unknownsIn(n).slice(0, 2)).slice(0, 300));
    } catch (e) { console.log(p, "ERROR", (e as Error).message); }
  }
});
