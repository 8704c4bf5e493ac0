/**
 * Handlebars (parser, compiler, runtime), loaded on first use: only template overrides need it, since
 * the bundled templates are compiled to functions at build time, and loading it costs more than
 * rendering every page.
 */
import { createRequire } from "node:module";
import type HandlebarsModule from "handlebars";

export type HandlebarsInstance = typeof HandlebarsModule;

let loaded: HandlebarsInstance | undefined;

export function handlebars(): HandlebarsInstance {
  loaded ??= createRequire(import.meta.url)("handlebars") as HandlebarsInstance;
  return loaded;
}
