/**
 * One core `H2Configuration` for every session made from the same `config` option and role, instead of
 * one per connection (~230 B each with its logger): a listener passes the same options to every
 * session it makes. Layer: streams (runtime-neutral).
 */
import { H2Configuration, type H2ConfigurationOptions } from '../core/index.ts';

type ConfigOptions = Omit<H2ConfigurationOptions, 'clientSide'>;

/** The configurations made from one options object, with the values they were made from. */
interface Shared {
  readonly keys: string[];
  readonly values: unknown[];
  server: H2Configuration | null;
  client: H2Configuration | null;
}

const byOptions = new WeakMap<ConfigOptions, Shared>();
const defaults: Shared = { keys: [], values: [], server: null, client: null };

/**
 * The configuration for `options` on one side: shared while the options object holds the values it was
 * made from (an object changed since gets a new one, so the option keeps its meaning). Sessions never
 * change their configuration; the core only reads it.
 */
export function sharedConfiguration(given: ConfigOptions | null | undefined, clientSide: boolean): H2Configuration {
  // null (a plain JavaScript caller's "none") is the defaults, as spreading it always made it.
  const options = given ?? undefined;
  let shared = options === undefined ? defaults : byOptions.get(options);
  if (shared === undefined || !unchanged(shared, options as ConfigOptions)) {
    const keys = Object.keys(options as ConfigOptions);
    shared = { keys, values: keys.map((k) => (options as Record<string, unknown>)[k]), server: null, client: null };
    byOptions.set(options as ConfigOptions, shared);
  }
  if (clientSide) return (shared.client ??= new H2Configuration({ ...options, clientSide: true }));
  return (shared.server ??= new H2Configuration({ ...options, clientSide: false }));
}

function unchanged(shared: Shared, options: ConfigOptions | undefined): boolean {
  if (options === undefined) return true;
  const keys = shared.keys;
  let n = 0;
  for (const key in options) {
    if (!Object.hasOwn(options, key)) continue;
    if (keys[n] !== key || !Object.is(shared.values[n], (options as Record<string, unknown>)[key])) return false;
    n++;
  }
  return n === keys.length;
}
