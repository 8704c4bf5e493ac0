/** What every ARM renderer shares: the template skeleton, parameters, and writing model values as ARM strings. */
import { isParameter, type Parameter } from "../unknown.js";
import { escapeArmString } from "./arm-strings.js";

export const DEPLOYMENT_TEMPLATE_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
/** The Microsoft.Network apiVersion every renderer writes (the vendored schema's). */
export const NETWORK_API_VERSION = "2024-05-01";

/** What every ARM renderer takes besides the model: the template's `metadata` block (see `armTemplateMetadata`). */
export interface ArmRenderOptions {
  readonly metadata: Record<string, unknown>;
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The object without its undefined entries, in key order. */
export function defined(entries: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) out[k] = v;
  return out;
}

/** Writes model values as ARM strings: data escaped, a `Parameter` as `[parameters('name')]` (and remembered). */
export class ArmValues {
  readonly #parameters = new Map<string, Parameter>();

  text(value: string | Parameter): string {
    if (isParameter(value)) {
      this.#parameters.set(value.name, value);
      return `[parameters('${value.name}')]`;
    }
    return escapeArmString(value);
  }

  optionalText(value: string | Parameter | undefined): string | undefined {
    return value === undefined ? undefined : this.text(value);
  }

  list(values: readonly (string | Parameter)[] | undefined): string[] | undefined {
    return values === undefined ? undefined : values.map((v) => this.text(v));
  }

  tags(tags: Readonly<Record<string, string>> | undefined): JsonObject | undefined {
    return tags === undefined ? undefined : Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, escapeArmString(v)]));
  }

  /** The template parameters the values referred to, in first-use order: a string each, given at deployment. */
  parameters(): JsonObject {
    return Object.fromEntries([...this.#parameters.values()].map((p) => [p.name, { type: "string", metadata: { description: p.description } }]));
  }
}

/** A string parameter with a default value and a description. */
export function stringParameter(defaultValue: string, description: string): JsonObject {
  return { type: "string", defaultValue, metadata: { description } };
}

/** The default of a `location` parameter: the model's location, or the resource group's. */
export function locationParameter(location: string | undefined, description: string): JsonObject {
  return stringParameter(location === undefined ? "[resourceGroup().location]" : escapeArmString(location), description);
}

/** A deploymentTemplate 2019-04-01, as the text every ARM renderer returns (two-space JSON and a final newline). */
export function templateText(parts: { metadata: Record<string, unknown>; parameters: JsonObject; resources: Json[]; outputs: JsonObject }): string {
  const template = {
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: "1.0.0.0",
    metadata: parts.metadata,
    parameters: parts.parameters,
    resources: parts.resources,
    outputs: parts.outputs,
  };
  return `${JSON.stringify(template, null, 2)}\n`;
}
