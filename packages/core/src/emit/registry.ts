import type { Emitter } from "../types.js";

/** Where an emitter came from, for messages: the npm package, or the module a plugin was loaded from. */
function originOf(emitter: Emitter<never>, origin: string | undefined): string {
  return origin ?? emitter.package?.name ?? "(no package)";
}

/** Maps names to emitters; a name can be registered once, and a second one is refused naming both. */
export class EmitterRegistry {
  readonly #emitters = new Map<string, { emitter: Emitter<never>; origin: string }>();

  /** `origin`: where the emitter comes from (a plugin's module); default: its package's name. */
  register<O>(emitter: Emitter<O>, origin?: string): this {
    const e = emitter as unknown as Emitter<never>;
    const from = originOf(e, origin);
    if (typeof e.name !== "string" || !/^[a-z][a-z0-9-]*$/.test(e.name)) throw new Error(`${from}: emitter name must be kebab-case (value: ${JSON.stringify(e.name)})`);
    const taken = this.#emitters.get(e.name);
    if (taken) throw new Error(`emitter name "${e.name}" of ${from} collides with the emitter "${taken.emitter.name}" of ${taken.origin}: rename one of them`);
    this.#emitters.set(e.name, { emitter: e, origin: from });
    return this;
  }

  get(name: string): Emitter<never> | undefined {
    return this.#emitters.get(name)?.emitter;
  }

  /** Where the emitter registered under `name` came from. */
  origin(name: string): string | undefined {
    return this.#emitters.get(name)?.origin;
  }

  names(): string[] {
    return [...this.#emitters.keys()].sort();
  }

  /** A new registry with the same emitters, to which more can be added without changing this one. */
  clone(): EmitterRegistry {
    const copy = new EmitterRegistry();
    for (const { emitter, origin } of this.#emitters.values()) copy.register(emitter, origin);
    return copy;
  }
}
