import type { EmittedFile } from "@cassandra-mi-netrules/core";

/** The template files of a directory, by POSIX path relative to it (`pages/index.md.hbs`). */
export function readTemplateDir(dir: string): Record<string, string>;
/** Every page of the site, rendered with the site's templates; nothing written. */
export function renderSite(): EmittedFile[];
