/**
 * JSON Schema literals (`as const`) that are the runtime source of a payload type: `FromSchema<typeof S>` is the
 * TypeScript type, and the same object is the payload schema a document (docs/asyncapi.yaml) publishes.
 * The subset covers what the event payloads use: scalar types, `format`, `enum`, arrays, objects with
 * `required`, and `anyOf` for unions (`nullable`).
 */
export interface JsonSchema {
  readonly type?: 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'object' | 'array';
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly anyOf?: readonly JsonSchema[];
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type ObjectOf<P, R> = Simplify<
  { -readonly [K in keyof P & R]: FromSchema<P[K]> } & { -readonly [K in Exclude<keyof P, R>]?: FromSchema<P[K]> }
>;

export type FromSchema<S> = S extends { anyOf: readonly (infer U)[] }
  ? FromSchema<U>
  : S extends { enum: readonly (infer E)[] }
    ? E
    : S extends { type: 'string' }
      ? string
      : S extends { type: 'number' | 'integer' }
        ? number
        : S extends { type: 'boolean' }
          ? boolean
          : S extends { type: 'null' }
            ? null
            : S extends { type: 'array'; items: infer I }
              ? FromSchema<I>[]
              : S extends { type: 'object'; properties: infer P }
                ? ObjectOf<P, S extends { required: readonly (infer R)[] } ? R : never>
                : S extends { type: 'object' }
                  ? Record<string, unknown>
                  : unknown;

/** `schema` or null, as `anyOf`, which validators written for OpenAPI 3.0 read too. */
export const nullable = <S extends JsonSchema>(schema: S) => ({ anyOf: [schema, { type: 'null' }] }) as const;

/** An object whose properties are all required except those named in `optional`; others may be added later. */
export const objectSchema = <P extends Record<string, JsonSchema>, O extends keyof P & string = never>(
  properties: P,
  optional: readonly O[] = [],
) =>
  ({
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => !(optional as readonly string[]).includes(k)) as Exclude<
      keyof P & string,
      O
    >[],
  }) as const;

export const enumSchema = <E extends readonly string[]>(values: E) => ({ type: 'string', enum: values }) as const;

export const stringSchema = { type: 'string' } as const;
export const uuidSchema = { type: 'string', format: 'uuid' } as const;
/** ISO 8601, UTC. */
export const dateTimeSchema = { type: 'string', format: 'date-time' } as const;

/** An object with one required property per key, each of schema `value`. */
export const recordSchema = <K extends string, V extends JsonSchema>(keys: readonly K[], value: V) =>
  objectSchema(Object.fromEntries(keys.map((k) => [k, value])) as Record<K, V>);
