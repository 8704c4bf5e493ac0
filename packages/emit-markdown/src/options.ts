/** The options of the Markdown emitter, declared: the CLI's flags, `-O markdown.key=value`, the config file and the docs come from here. */
import { choiceOption, defineOptions, z, type FlagValue } from "@cassandra-mi-netrules/core/options";
import { templateOverridesFromFiles } from "./templates.js";

/** `--templates DIR`: the directory's files, by relative path, as overrides; a directory without any is a mistake worth saying. */
function templatesFromDirectory(files: FlagValue): ReturnType<typeof templateOverridesFromFiles> {
  const byPath = files as Readonly<Record<string, string>>;
  if (Object.keys(byPath).length === 0) throw new Error("holds no template: pages/<page>.md.hbs or partials/<partial>.md.hbs");
  return templateOverridesFromFiles(byPath);
}

const DIR = /^$|^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const DIR_RULE = 'must be a relative POSIX path without "..", or ""';

export const markdownOptions = defineOptions(
  "markdown",
  {
    locale: choiceOption(["en", "fr"], "Language of the pages", "en"),
    changelog: z
      .union([z.boolean(), z.strictObject({ from: z.string() })], { error: "must be true, false or { from: revision }" })
      .optional()
      .describe("Add changelog.md: true for every step from the first revision to the resolved one, { from } for one step from that revision"),
    coverage: z.custom<unknown>(() => true).optional().describe("Coverage reported by the other emitters, by target name; adds targets.md (what each target cannot do)"),
    notRendered: z
      .custom<unknown>((v) => v !== null && typeof v === "object" && !Array.isArray(v), { error: "must be an object by target name" })
      .optional()
      .describe("Targets that could not be generated with these inputs, by name: targets.md lists them with the reason"),
    templates: z
      .custom<unknown>((v) => v !== null && typeof v === "object", { error: "must be an object with pages and partials" })
      .optional()
      .describe("Templates or partials that replace the bundled ones: DIR/pages/<page>.md.hbs and DIR/partials/<partial>.md.hbs"),
    dir: z
      .string({ error: DIR_RULE })
      .regex(DIR, { error: DIR_RULE })
      .refine((d) => !d.split("/").includes(".."), { error: DIR_RULE })
      .optional()
      .describe("Directory the files are written under, POSIX, no trailing slash; default: the locale (en); \"\": none"),
  },
  {
    locale: { flag: { name: "locale", value: "locale" } },
    changelog: { flag: { name: "changelog", value: "from", optionalValue: true, toOption: (given: FlagValue) => (given === true ? true : { from: String(given) }) } },
    coverage: { internal: true },
    notRendered: { internal: true },
    templates: { flag: { name: "templates", value: "dir", directory: true, toOption: templatesFromDirectory } },
  },
);
