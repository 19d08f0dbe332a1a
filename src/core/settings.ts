/**
 * HTTP/2 settings (RFC 9113 §6.5.2, RFC 8441 §3): the setting codes, a settings store that tracks
 * current and not-yet-acknowledged values, and their validation. Sans-I/O core.
 * Port of h2/settings.py (SettingCodes, ChangedSetting, Settings, _validate_setting).
 */

import { ErrorCodes } from './errors.ts';
import { InvalidSettingsValueError } from './exceptions.ts';

/** Every setting this implementation knows, in RFC spelling. Port of h2.settings.SettingCodes. */
export const SettingCodes = {
  /** RFC 9113 §6.5.2: size of the HPACK dynamic table the sender's decoder uses. */
  HEADER_TABLE_SIZE: 0x1,
  /** RFC 9113 §6.5.2: whether server push is permitted (0 or 1). */
  ENABLE_PUSH: 0x2,
  /** RFC 9113 §6.5.2: the most concurrent streams the sender allows. */
  MAX_CONCURRENT_STREAMS: 0x3,
  /** RFC 9113 §6.5.2: the sender's initial stream-level flow-control window size. */
  INITIAL_WINDOW_SIZE: 0x4,
  /** RFC 9113 §6.5.2: the largest frame payload the sender will receive. */
  MAX_FRAME_SIZE: 0x5,
  /** RFC 9113 §6.5.2: advisory largest header list the sender will accept. */
  MAX_HEADER_LIST_SIZE: 0x6,
  /** RFC 8441 §3: the sender supports the extended CONNECT method. */
  ENABLE_CONNECT_PROTOCOL: 0x8,
} as const;

/** One of the known setting codes (peers may send any 16-bit code). */
export type SettingCode = (typeof SettingCodes)[keyof typeof SettingCodes];

const SETTING_NAMES = new Map<number, string>(Object.entries(SettingCodes).map(([name, code]) => [code, name]));

/** The RFC name of a setting code (`'MAX_FRAME_SIZE'`), or `undefined` for an unknown code. */
export function settingCodeName(code: number): string | undefined {
  return SETTING_NAMES.get(code);
}

/** The largest flow-control window, 2^31-1 (RFC 9113 §6.9.1). */
const MAX_WINDOW = 0x7fffffff;
/** Smallest and largest SETTINGS_MAX_FRAME_SIZE (RFC 9113 §6.5.2). */
const MIN_MAX_FRAME_SIZE = 16384;
const MAX_MAX_FRAME_SIZE = 16777215;

/**
 * One setting that changed value. Port of h2.settings.ChangedSetting.
 */
export class ChangedSetting {
  /**
   * @param setting The setting code.
   * @param originalValue The value before the change (`null` if the setting had none).
   * @param newValue The value after the change.
   */
  constructor(
    readonly setting: number,
    readonly originalValue: number | null,
    readonly newValue: number,
  ) {}

  /** h2's repr: `ChangedSetting(setting=…, original_value=…, new_value=…)`. */
  toString(): string {
    const name = settingCodeName(this.setting);
    const setting = name === undefined ? String(this.setting) : `SettingCodes.${name}`;
    return `ChangedSetting(setting=${setting}, original_value=${String(this.originalValue)}, new_value=${this.newValue})`;
  }
}

/**
 * Checks one setting value and returns the error code it violates, or NO_ERROR (0).
 * `client` is the role of the peer that sent the value, when it was received.
 * Port of h2.settings._validate_setting.
 */
export function validateSetting(setting: number, value: number, client?: boolean): number {
  switch (setting) {
    case SettingCodes.ENABLE_PUSH:
      // RFC 9113 §6.5.2
      // > Any value other than 0 or 1 MUST be treated as a connection error of type PROTOCOL_ERROR.
      // > A client MUST treat receipt of a SETTINGS frame with SETTINGS_ENABLE_PUSH set to 1 as a
      // > connection error of type PROTOCOL_ERROR.
      if ((value !== 0 && value !== 1) || (client === false && value !== 0)) return ErrorCodes.PROTOCOL_ERROR;
      break;
    case SettingCodes.INITIAL_WINDOW_SIZE:
      // RFC 9113 §6.5.2
      // > Values above the maximum flow-control window size of 2^31-1 MUST be treated as a connection
      // > error of type FLOW_CONTROL_ERROR.
      if (!(value >= 0 && value <= MAX_WINDOW)) return ErrorCodes.FLOW_CONTROL_ERROR;
      break;
    case SettingCodes.MAX_FRAME_SIZE:
      // RFC 9113 §6.5.2
      // > Values outside this range MUST be treated as a connection error of type PROTOCOL_ERROR.
      if (!(value >= MIN_MAX_FRAME_SIZE && value <= MAX_MAX_FRAME_SIZE)) return ErrorCodes.PROTOCOL_ERROR;
      break;
    case SettingCodes.MAX_HEADER_LIST_SIZE:
      if (!(value >= 0)) return ErrorCodes.PROTOCOL_ERROR;
      break;
    case SettingCodes.ENABLE_CONNECT_PROTOCOL:
      // RFC 8441 §3: "The value of the parameter MUST be 0 or 1."
      if (value !== 0 && value !== 1) return ErrorCodes.PROTOCOL_ERROR;
      break;
    default:
      break;
  }
  return ErrorCodes.NO_ERROR;
}

/** The largest setting code (RFC 9113 §6.5.1: a 16-bit identifier). */
const MAX_SETTING_CODE = 0xffff;
/** The largest setting value (RFC 9113 §6.5.1: a 32-bit value). */
const MAX_SETTING_VALUE = 0xffffffff;

/**
 * Checks one setting: a value a known setting forbids is an `InvalidSettingsValueError` carrying the
 * RFC's error code (as h2's `_validate_setting`); a code that is not an integer 0 … 0xffff or a value
 * that is not an integer 0 … 2^32-1 cannot go on the wire at all, so it is a RangeError (API misuse:
 * h2 fails on it only when serializing, and a value wrapped modulo 2^32 would change its meaning).
 */
function check(setting: number, value: number, client?: boolean): void {
  if (!Number.isInteger(setting) || setting < 0 || setting > MAX_SETTING_CODE) {
    throw new RangeError(`Setting code must be an integer 0 … 0xffff, not ${String(setting)}`);
  }
  const invalid = validateSetting(setting, value, client);
  if (invalid !== ErrorCodes.NO_ERROR) {
    throw new InvalidSettingsValueError(`Setting ${settingCodeName(setting) ?? setting} has invalid value ${value}`, invalid);
  }
  if (!Number.isInteger(value) || value < 0 || value > MAX_SETTING_VALUE) {
    throw new RangeError(`Setting ${settingCodeName(setting) ?? setting} must be an integer 0 … 2^32-1, not ${String(value)}`);
  }
}

/** Settings as given by a user: a record or map of setting code → value. */
export type SettingsInput = Readonly<Record<number, number>> | ReadonlyMap<number, number>;

/** Iterates a {@link SettingsInput} as numeric `[code, value]` pairs. */
export function settingsEntries(input: SettingsInput): Iterable<[number, number]> {
  if (input instanceof Map) return input.entries() as Iterable<[number, number]>;
  return Object.entries(input as Readonly<Record<number, number>>).map(([k, v]) => [Number(k), v] as [number, number]);
}

/**
 * The entries of {@link SettingsInput} as `[code, value]` pairs, each checked (see {@link Settings.set}):
 * it throws before returning anything, so a caller can validate before changing any state.
 */
export function checkedSettingsEntries(input: SettingsInput): [number, number][] {
  const entries = [...settingsEntries(input)];
  for (const [code, value] of entries) check(code, value);
  return entries;
}

/** A setting's values: the current one alone, or [current (null: none yet), pending…]. */
type Entry = number | (number | null)[];

/** The current value in an entry (null: only pending values). */
function current(entry: Entry): number | null {
  return typeof entry === 'number' ? entry : (entry[0] ?? null);
}

/**
 * RFC 9113's defaults (§6.5.2, RFC 8441 §3) as `[code, value, …]`, in the order h2 installs them: every
 * {@link Settings} starts on a shared frozen list (these two, or one from {@link SHARED_LISTS}) and copies
 * it on its first change (the peer's settings of a connection whose peer sends none never do).
 */
const CLIENT_DEFAULTS: readonly Entry[] = Object.freeze([1, 4096, 2, 1, 4, 65535, 5, 16384, 8, 0]);
const SERVER_DEFAULTS: readonly Entry[] = Object.freeze([1, 4096, 2, 0, 4, 65535, 5, 16384, 8, 0]);

/**
 * Frozen starting lists shared by every {@link Settings} built with the same role and initial values (a
 * server's connections all start their own settings alike), so that an idle connection's settings own
 * no list. Bounded: past the bound a list is simply not shared.
 */
const SHARED_LISTS = new Map<string, readonly Entry[]>();
const MAX_SHARED_LISTS = 64;

/** The shared frozen list equal to `list` (current values only), made shared if there is room. */
function sharedList(client: boolean, list: Entry[]): Entry[] {
  const key = `${client ? 1 : 0}:${list.join()}`;
  let shared = SHARED_LISTS.get(key);
  if (shared === undefined) {
    if (SHARED_LISTS.size >= MAX_SHARED_LISTS) return list;
    shared = Object.freeze(list);
    SHARED_LISTS.set(key, shared);
  }
  return shared as Entry[];
}

/**
 * A new {@link Settings} with `template`'s values (pending ones included), sharing its list while it is
 * a shared frozen one. Internal (not exported from the core's index): every connection made with one
 * configuration copies that configuration's initial local settings instead of building them again.
 */
export let copySettings: (template: Settings) => Settings;

/**
 * The settings of one side of a connection: each setting has a current value plus a queue of
 * values sent but not yet acknowledged. Reading gives the current value; writing validates and
 * queues a pending value; {@link acknowledge} promotes one pending value of every setting.
 * Port of h2.settings.Settings (a MutableMapping there; a Map-like class here): h2's
 * `settings[code]` is `settings.get(code)` (or a named getter such as `maxConcurrentStreams`), and
 * `settings[code] = value` is `settings.set(code, value)`. There is deliberately no index signature, so
 * `settings[code]` (which would read `undefined`) is a compile error under `noImplicitAny` (TS7052).
 */
export class Settings implements Iterable<[number, number]> {
  readonly #client: boolean;
  /**
   * `[code, entry, code, entry, …]` in insertion order (h2's dict order), each entry the current value
   * alone (nothing pending: the common case) or [current, pending1, pending2, …] where current is `null`
   * for a setting that exists only as pending. A flat list scanned linearly: a connection has two of
   * these, each with a handful of settings, and a Map per object costs more than the scan. A shared
   * frozen list until the first change ({@link own}).
   */
  #slots: Entry[];

  /**
   * @param client Whether these are a client's settings (decides the ENABLE_PUSH default). Default `true`.
   * @param initialValues Values installed as current (validated), in place of RFC 9113's defaults.
   */
  constructor(client = true, initialValues?: SettingsInput) {
    this.#client = client;
    const defaults = (client ? CLIENT_DEFAULTS : SERVER_DEFAULTS) as Entry[];
    this.#slots = defaults;
    if (initialValues !== undefined) {
      let list: Entry[] | null = null;
      for (const [code, value] of settingsEntries(initialValues)) {
        check(code, value);
        list ??= defaults.slice();
        let i = 0;
        while (i < list.length && list[i] !== code) i += 2;
        if (i < list.length) list[i + 1] = value;
        else list.push(code, value);
      }
      if (list !== null) this.#slots = sharedList(client, list);
    }
  }

  static {
    copySettings = (template) => {
      const copy = new Settings(template.#client);
      const slots = template.#slots;
      copy.#slots = Object.isFrozen(slots) ? slots : slots.map((e) => (typeof e === 'number' ? e : e.slice()));
      return copy;
    };
  }

  /** The index of `code` in the list, or -1. */
  #find(code: number): number {
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i += 2) if (slots[i] === code) return i;
    return -1;
  }

  /** The list, made this object's own first if it is a shared one. */
  #own(): Entry[] {
    if (Object.isFrozen(this.#slots)) this.#slots = this.#slots.slice();
    return this.#slots;
  }

  /**
   * Promotes the oldest pending value of every setting that has one (h2 acknowledges per setting,
   * not per SETTINGS frame) and returns what changed. Port of h2.settings.Settings.acknowledge.
   */
  acknowledge(): Map<number, ChangedSetting> {
    const changed = new Map<number, ChangedSetting>();
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i += 2) {
      const queue = slots[i + 1] as Entry;
      if (typeof queue !== 'number' && queue.length > 1) {
        const code = slots[i] as number;
        const old = queue[0] ?? null;
        const now = queue[1] as number;
        // Back to a bare value once nothing more is pending.
        if (queue.length === 2) slots[i + 1] = now;
        else queue.shift();
        changed.set(code, new ChangedSetting(code, old, now));
      }
    }
    return changed;
  }

  /** The current value of `code`, or `undefined` if it has none (yet). */
  get(code: number): number | undefined {
    const i = this.#find(code);
    if (i < 0) return undefined;
    const v = current(this.#slots[i + 1] as Entry);
    return v === null ? undefined : v;
  }

  /** Whether `code` has a current value. */
  has(code: number): boolean {
    return this.get(code) !== undefined;
  }

  /**
   * Validates `value` and queues it as the pending value of `code`; the current value changes on
   * {@link acknowledge}. Throws `InvalidSettingsValueError` for a value the setting forbids, and a
   * RangeError for a code outside 0 … 0xffff or a value that is not an integer 0 … 2^32-1.
   */
  set(code: number, value: number): this {
    check(code, value);
    const i = this.#find(code);
    const slots = this.#own();
    if (i < 0) {
      slots.push(code, [null, value]);
    } else {
      const queue = slots[i + 1] as Entry;
      if (typeof queue === 'number') slots[i + 1] = [queue, value];
      else queue.push(value);
    }
    return this;
  }

  /**
   * {@link set} for every entry of `values`, in order, after validating all of them: an invalid entry
   * throws before any value is queued (h2's `update` leaves the entries before it pending).
   */
  update(values: SettingsInput): void {
    for (const [code, value] of checkedSettingsEntries(values)) this.set(code, value);
  }

  /** Forgets `code` entirely (current and pending values). */
  delete(code: number): boolean {
    const i = this.#find(code);
    if (i < 0) return false;
    this.#own().splice(i, 2);
    return true;
  }

  /**
   * Validates a value received from the peer that owns these settings, using that peer's role (a
   * server may only send ENABLE_PUSH = 0). Port of h2.settings.Settings.validate_received_setting.
   */
  validateReceivedSetting(code: number, value: number): void {
    check(code, value, this.#client);
  }

  /** The number of settings with a current value. */
  get size(): number {
    let n = 0;
    const slots = this.#slots;
    for (let i = 1; i < slots.length; i += 2) if (current(slots[i] as Entry) !== null) n++;
    return n;
  }

  /** The setting codes with a current value, in insertion order. */
  *keys(): IterableIterator<number> {
    for (const [code] of this.entries()) yield code;
  }

  /** `[code, currentValue]` for every setting with a current value, in insertion order (h2's dict order). */
  *entries(): IterableIterator<[number, number]> {
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i += 2) {
      const v = current(slots[i + 1] as Entry);
      if (v !== null) yield [slots[i] as number, v];
    }
  }

  /**
   * `[code, value]` for every setting as it will be once everything sent is acknowledged: the newest
   * pending value, else the current one (what the initial SETTINGS frame advertises).
   */
  newestEntries(): IterableIterator<[number, number]> {
    return this.newestMap().entries();
  }

  /**
   * The newest value of each setting (pending, else current) as a new `Map` (code → value), made with no
   * iterator: the initial SETTINGS frame of every connection is built from it, and `new Map(generator)`
   * made ~1 KiB of garbage per connection (the generator, its results, a pair per setting).
   */
  newestMap(): Map<number, number> {
    const map = new Map<number, number>();
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i += 2) {
      const queue = slots[i + 1] as Entry;
      const v = typeof queue === 'number' ? queue : queue[queue.length - 1];
      if (v !== null && v !== undefined) map.set(slots[i] as number, v);
    }
    return map;
  }

  /**
   * Keeps only the newest pending value of each setting, so that one acknowledgement applies them all
   * (the initial SETTINGS frame carries every value set before it, and is acknowledged once).
   */
  squashPending(): void {
    const slots = this.#slots;
    for (let i = 1; i < slots.length; i += 2) {
      const queue = slots[i] as Entry;
      if (typeof queue !== 'number' && queue.length > 2) queue.splice(1, queue.length - 2);
    }
  }

  /** Same as {@link entries}. */
  [Symbol.iterator](): IterableIterator<[number, number]> {
    return this.entries();
  }

  /** Whether both objects hold the same current and pending values (h2's `__eq__`). */
  equals(other: Settings): boolean {
    const slots = this.#slots;
    if (slots.length !== other.#slots.length) return false;
    for (let i = 0; i < slots.length; i += 2) {
      const entry = slots[i + 1] as Entry;
      const at = other.#find(slots[i] as number);
      if (at < 0) return false;
      const theirEntry = other.#slots[at + 1] as Entry;
      const mine = typeof entry === 'number' ? [entry] : entry;
      const theirs = typeof theirEntry === 'number' ? [theirEntry] : theirEntry;
      if (theirs.length !== mine.length) return false;
      for (let j = 0; j < mine.length; j++) if (mine[j] !== theirs[j]) return false;
    }
    return true;
  }

  /** Current SETTINGS_HEADER_TABLE_SIZE; assigning queues a pending value. */
  get headerTableSize(): number {
    return this.get(SettingCodes.HEADER_TABLE_SIZE) ?? 4096;
  }
  set headerTableSize(value: number) {
    this.set(SettingCodes.HEADER_TABLE_SIZE, value);
  }

  /** Current SETTINGS_ENABLE_PUSH; assigning queues a pending value. */
  get enablePush(): number {
    return this.get(SettingCodes.ENABLE_PUSH) ?? 0;
  }
  set enablePush(value: number) {
    this.set(SettingCodes.ENABLE_PUSH, value);
  }

  /** Current SETTINGS_INITIAL_WINDOW_SIZE; assigning queues a pending value. */
  get initialWindowSize(): number {
    return this.get(SettingCodes.INITIAL_WINDOW_SIZE) ?? 65535;
  }
  set initialWindowSize(value: number) {
    this.set(SettingCodes.INITIAL_WINDOW_SIZE, value);
  }

  /** Current SETTINGS_MAX_FRAME_SIZE; assigning queues a pending value. */
  get maxFrameSize(): number {
    return this.get(SettingCodes.MAX_FRAME_SIZE) ?? MIN_MAX_FRAME_SIZE;
  }
  set maxFrameSize(value: number) {
    this.set(SettingCodes.MAX_FRAME_SIZE, value);
  }

  /** Current SETTINGS_MAX_CONCURRENT_STREAMS, or 2^32+1 (unlimited, as h2) when unset. */
  get maxConcurrentStreams(): number {
    return this.get(SettingCodes.MAX_CONCURRENT_STREAMS) ?? 2 ** 32 + 1;
  }
  set maxConcurrentStreams(value: number) {
    this.set(SettingCodes.MAX_CONCURRENT_STREAMS, value);
  }

  /** Current SETTINGS_MAX_HEADER_LIST_SIZE, or `null` (unlimited) when unset. */
  get maxHeaderListSize(): number | null {
    return this.get(SettingCodes.MAX_HEADER_LIST_SIZE) ?? null;
  }
  set maxHeaderListSize(value: number) {
    this.set(SettingCodes.MAX_HEADER_LIST_SIZE, value);
  }

  /** Current SETTINGS_ENABLE_CONNECT_PROTOCOL; assigning queues a pending value. */
  get enableConnectProtocol(): number {
    return this.get(SettingCodes.ENABLE_CONNECT_PROTOCOL) ?? 0;
  }
  set enableConnectProtocol(value: number) {
    this.set(SettingCodes.ENABLE_CONNECT_PROTOCOL, value);
  }
}
