/** Markdown documentation in fr: see markdown-property.ts (half of FC_NUM_RUNS per locale). */
import { markdownProperty } from "./markdown-property.js";

markdownProperty("fr");
