/**
 * @cassandra-mi-netrules/emit-markdown: documentation of the rules in English or French, rendered from
 * handlebars templates bundled at build time. In its coverage, `enforced` means "documented".
 */
export { emitMarkdownDocs, emitter, GENERATOR, locales, version, type MarkdownOptions } from "./emit.js";
export type { NotRenderedTarget } from "./view.js";
export { escapeMarkdown, escapeMarkdownList, normalizeInline, MARKDOWN_CONTEXTS, type MarkdownContext, type MarkdownValue } from "./escape.js";
export { checkTemplate, TemplatePolicyError, type TemplateFacts } from "./template-policy.js";
export {
  pageNames,
  partialNames,
  templateOverridesFromFiles,
  TEMPLATE_EXTENSION,
  type MarkdownTemplateOverrides,
  type PageName,
  type PartialName,
} from "./templates.js";
