/**
 * Options objects checked at the API boundary, for plain-JavaScript callers: a positional argument
 * where an options object belongs (`closeConnection(11)`, `sendHeaders(1, h, true)`) or a key the
 * method does not know (`{ client_side: false }`, h2's spelling) would otherwise be read as "no
 * options" and silently do something else. Sans-I/O core; h2's keyword arguments have no such trap.
 */

/**
 * Checks that `options` is `undefined` or a plain options object whose keys are all in `known`.
 * @param method Names the method in the error, e.g. `'H2Connection.closeConnection'`.
 * @param options The argument as the caller passed it.
 * @param known The option names the method reads.
 * @returns `options`, or an empty object for `undefined`.
 * @throws TypeError for anything else (a number, boolean, string, array, function or `null`), or an
 *   unknown key (suggesting the camelCase name when the key is h2's snake_case or differs in case).
 */
export function checkOptions<T extends object>(method: string, options: T | undefined, known: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${method}: expected an options object { ${known.join(', ')} }, got ${describeValue(options)}`);
  }
  // for-in allocates nothing (this runs on every sendData and respond); plain objects inherit no keys.
  for (const key in options) {
    if (!known.includes(key)) throw unknownOptionError(method, key, known);
  }
  return options;
}

/** The error for an unknown option key, with the likely intended name when there is one. */
function unknownOptionError(method: string, key: string, known: readonly string[]): TypeError {
  const camel = key.replace(/[_-]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
  const guess = known.find((k) => k === camel) ?? known.find((k) => k.toLowerCase() === camel.toLowerCase());
  const hint = guess !== undefined ? `did you mean ${guess}?` : `known options: ${known.join(', ')}`;
  return new TypeError(`${method}: unknown option ${JSON.stringify(key)}; ${hint}`);
}

/** A value as an error message shows it: its type and, for primitives, the value itself. */
function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object' || typeof v === 'function') return `a ${typeof v}`;
  return `the ${typeof v} ${String(v)}`;
}

/**
 * Checks that an option read as a boolean is one (or absent): `{ endStream: 'yes' }` must not mean
 * false. Returns the value, `false` when absent.
 * @throws TypeError naming the method and option.
 */
export function booleanOption(method: string, name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`${method}: ${name} must be a boolean, got ${describeValue(value)}`);
  return value;
}

/**
 * Checks the argument of `updateSettings`: a Map or a record of numeric setting codes. A record keyed
 * by names (`{ maxConcurrentStreams: 5 }`, `{ MAX_CONCURRENT_STREAMS: 5 }`) would otherwise fail as
 * "setting code NaN", and a non-object would queue an empty SETTINGS frame.
 * @param names The names of `SettingCodes`, to suggest `SettingCodes.X`.
 * @throws TypeError naming the method.
 */
export function checkSettingsArgument(method: string, input: unknown, names: readonly string[]): void {
  if (input instanceof Map) return;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError(`${method}: expected a Map or a record of setting code → value, got ${describeValue(input)}`);
  }
  for (const key of Object.keys(input)) {
    if (/^\d+$/.test(key)) continue;
    const upper = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase().replace(/^SETTINGS?_/, '');
    const guess = names.includes(upper) ? upper : undefined;
    const hint = guess !== undefined ? `; did you mean [SettingCodes.${guess}]?` : ': keys are numeric setting codes (SettingCodes.*)';
    throw new TypeError(`${method}: unknown setting ${JSON.stringify(key)}${hint}`);
  }
}
