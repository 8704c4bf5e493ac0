/** The options of the OPA emitter, declared: `-O opa.key=value`, the config file and the docs come from here. */
import { booleanOption, defineOptions } from "@cassandra-mi-netrules/core/options";

export const opaOptions = defineOptions("opa", {
  includeTests: booleanOption("Ship the fixtures and the _test.rego module (the default bundle is the policy and its data)", false),
});
