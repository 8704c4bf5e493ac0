import type { Emitter } from "../types.js";

/** Maps names to emitters; a name can be registered once. */
export class EmitterRegistry {
  readonly #emitters = new Map<string, Emitter<never>>();

  register<O>(emitter: Emitter<O>): this {
    if (!/^[a-z][a-z0-9-]*$/.test(emitter.name)) throw new Error(`emitter name must be kebab-case (value: "${emitter.name}")`);
    if (this.#emitters.has(emitter.name)) throw new Error(`an emitter named "${emitter.name}" is already registered`);
    this.#emitters.set(emitter.name, emitter as Emitter<never>);
    return this;
  }

  get(name: string): Emitter<never> | undefined {
    return this.#emitters.get(name);
  }

  names(): string[] {
    return [...this.#emitters.keys()].sort();
  }
}
