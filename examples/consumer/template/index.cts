// TypeScript (CommonJS, nodenext) consumer: the .d.cts files.
import core = require("@cassandra-mi-netrules/core");
import nsg = require("@cassandra-mi-netrules/emit-nsg");

const count: number = core.requiredRules.length;
const rules: core.ResolvedRules = core.resolveRules({ regions: ["westeurope"] });
const name: string = nsg.emitter.name;
export { count, name, rules };
