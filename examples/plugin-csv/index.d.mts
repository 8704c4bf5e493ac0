import type { Emitter } from "@cassandra-mi-netrules/core";

export interface CsvOptions {
  readonly separator?: "," | ";";
  readonly header?: boolean;
}

export declare const emitter: Emitter<CsvOptions>;
