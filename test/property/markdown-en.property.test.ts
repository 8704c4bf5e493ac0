/** Markdown documentation in en: see markdown-property.ts (half of FC_NUM_RUNS per locale). */
import { markdownProperty } from "./markdown-property.js";

markdownProperty("en");
