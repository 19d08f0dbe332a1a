/**
 * The events `H2Connection.receiveData` returns: 17 public event classes, their base class and the
 * `H2Event` union. Sans-I/O core. Port of h2/events.py.
 */

// Each event has a readonly `type` tag equal to its class name (so `switch (ev.type)` narrows) and
// readonly camelCase fields; constructors take one object of fields (h2's dataclasses are keyword-only).
// Events h2 builds with no arguments and fills later (`PushedStreamReceived`, `PriorityUpdated`,
// `ConnectionTerminated`, `AlternativeServiceAvailable`) take all their fields at construction here,
// with non-nullable types where the core always sets them.

import type { Frame } from '../frame/index.ts';
import { ChangedSetting } from './settings.ts';
import { utf8Decode } from './utf8.ts';

/** A header field as events carry it: `[name, value]`, ByteStrings unless `headerEncoding` says otherwise. */
export type Header = readonly [name: string, value: string];

/** The base class of every event. Port of h2.events.Event. */
export class Event {}

/** Fields of the three header-block events. */
export interface HeadersEventInit {
  /** The stream the header block arrived on. */
  streamId: number;
  /** The header fields, in order. */
  headers?: Header[];
  /** The related `StreamEnded` event, when this block also ended the stream. */
  streamEnded?: StreamEnded | null;
  /** The related `PriorityUpdated` event, when this block carried priority information. */
  priorityUpdated?: PriorityUpdated | null;
}

/**
 * The shared shape of the three header-block events (h2 declares the same four fields on each).
 * `toString()` is h2's `__repr__`: `<RequestReceived stream_id:1, headers:[(':method', 'GET'), ...]>`.
 */
export abstract class HeaderBlockEvent extends Event {
  /** The event's class name. */
  abstract readonly type: 'RequestReceived' | 'ResponseReceived' | 'TrailersReceived';
  /** The stream the header block arrived on. */
  readonly streamId: number;
  /** The header fields, in order. */
  readonly headers: Header[];
  /** The related `StreamEnded` if the block also ended the stream, else `null`. */
  readonly streamEnded: StreamEnded | null;
  /** The related `PriorityUpdated` if the block carried priority information, else `null`. */
  readonly priorityUpdated: PriorityUpdated | null;

  constructor(init: HeadersEventInit) {
    super();
    this.streamId = init.streamId;
    this.headers = init.headers ?? [];
    this.streamEnded = init.streamEnded ?? null;
    this.priorityUpdated = init.priorityUpdated ?? null;
  }

  /** Debug form, as h2's `__repr__`. */
  override toString(): string {
    return `<${this.type} stream_id:${this.streamId}, headers:${headersRepr(this.headers)}>`;
  }
}

/**
 * A request's complete header block was received (HEADERS plus any CONTINUATION frames).
 * Port of h2.events.RequestReceived.
 */
export class RequestReceived extends HeaderBlockEvent {
  readonly type = 'RequestReceived';
}

/** Final (non-1xx) response headers were received. Port of h2.events.ResponseReceived. */
export class ResponseReceived extends HeaderBlockEvent {
  readonly type = 'ResponseReceived';
}

/**
 * Trailers (a header block after the body; they always end the stream, so `streamEnded` is set) were
 * received. Port of h2.events.TrailersReceived.
 */
export class TrailersReceived extends HeaderBlockEvent {
  readonly type = 'TrailersReceived';
}

/**
 * An informational (1xx) response was received; any number may precede the final response.
 * Port of h2.events.InformationalResponseReceived.
 */
export class InformationalResponseReceived extends Event {
  readonly type = 'InformationalResponseReceived';
  /** The stream the informational response was received on. */
  readonly streamId: number;
  /** The informational response headers. */
  readonly headers: Header[];
  /** The related `PriorityUpdated` if the block carried priority information, else `null`. */
  readonly priorityUpdated: PriorityUpdated | null;

  constructor(init: { streamId: number; headers?: Header[]; priorityUpdated?: PriorityUpdated | null }) {
    super();
    this.streamId = init.streamId;
    this.headers = init.headers ?? [];
    this.priorityUpdated = init.priorityUpdated ?? null;
  }

  /** Debug form, as h2's `__repr__`. */
  override toString(): string {
    return `<InformationalResponseReceived stream_id:${this.streamId}, headers:${headersRepr(this.headers)}>`;
  }
}

/** A DATA frame was received. Port of h2.events.DataReceived. */
export class DataReceived extends Event {
  readonly type = 'DataReceived';
  /** The stream the data was received on. */
  readonly streamId: number;
  /**
   * The data, without padding. No copy is made: it may be a view of the buffer given to
   * `receiveData`, so a caller that reuses its read buffers must copy it before the next read.
   */
  readonly data: Uint8Array;
  /**
   * The number of bytes counted against the flow-control windows, padding included. Acknowledge this
   * amount, not `data.length`, with `acknowledgeReceivedData`.
   */
  readonly flowControlledLength: number;
  /** The related `StreamEnded` if this chunk also ended the stream, else `null`. */
  readonly streamEnded: StreamEnded | null;

  constructor(init: { streamId: number; data?: Uint8Array; flowControlledLength?: number; streamEnded?: StreamEnded | null }) {
    super();
    this.streamId = init.streamId;
    this.data = init.data ?? EMPTY;
    this.flowControlledLength = init.flowControlledLength ?? 0;
    this.streamEnded = init.streamEnded ?? null;
  }

  /** Debug form, as h2's `__repr__` (hex of the first 20 bytes). */
  override toString(): string {
    return `<DataReceived stream_id:${this.streamId}, flow_controlled_length:${this.flowControlledLength}, data:${hex(this.data.subarray(0, 20))}>`;
  }
}

/**
 * A WINDOW_UPDATE was received: the send window of a stream (or of the connection, stream 0) grew.
 * Port of h2.events.WindowUpdated.
 */
export class WindowUpdated extends Event {
  readonly type = 'WindowUpdated';
  /** The stream whose window changed; `0` for the connection-level window (RFC 9113 §6.9). */
  readonly streamId: number;
  /** The window increment. */
  readonly delta: number;

  constructor(init: { streamId: number; delta?: number }) {
    super();
    this.streamId = init.streamId;
    this.delta = init.delta ?? 0;
  }

  /** Debug form, as h2's `__repr__`. */
  override toString(): string {
    return `<WindowUpdated stream_id:${this.streamId}, delta:${this.delta}>`;
  }
}

/** Old settings, as `fromSettings` reads them: a `Settings` object, a Map, or a plain record. */
export type SettingsLookup =
  | { get(setting: number): number | null | undefined }
  | Readonly<Record<number, number>>;

/** Settings values keyed by setting code, as a Map or a plain record. */
export type SettingsValues = ReadonlyMap<number, number> | Readonly<Record<number, number>>;

/** The shared shape of the two SETTINGS events. */
export abstract class SettingsEvent extends Event {
  /** The event's class name. */
  abstract readonly type: 'RemoteSettingsChanged' | 'SettingsAcknowledged';
  /** The changed settings keyed by setting code, each with its previous and new value. */
  readonly changedSettings: ReadonlyMap<number, ChangedSetting>;

  constructor(init: { changedSettings?: ReadonlyMap<number, ChangedSetting> } = {}) {
    super();
    this.changedSettings = init.changedSettings ?? new Map();
  }

  /** Debug form, as h2's `__repr__`. */
  override toString(): string {
    return `<${this.type} changed_settings:{${[...this.changedSettings.values()].map(String).join(', ')}}>`;
  }
}

/**
 * The peer changed its settings (already acknowledged by the core); `changedSettings` holds every
 * setting the frame carried. If a new value is unacceptable, close the connection with
 * PROTOCOL_ERROR. Port of h2.events.RemoteSettingsChanged.
 */
export class RemoteSettingsChanged extends SettingsEvent {
  readonly type = 'RemoteSettingsChanged';

  /**
   * Builds the event from the settings before the change and the values a SETTINGS frame carried.
   * Port of h2.events.RemoteSettingsChanged.from_settings.
   * @param oldSettings Values before the change; a setting missing there has original value `null`.
   * @param newSettings The received values.
   */
  static fromSettings(oldSettings: SettingsLookup, newSettings: SettingsValues): RemoteSettingsChanged {
    const changes = new Map<number, ChangedSetting>();
    const getter = (oldSettings as { get?: unknown }).get;
    for (const [setting, value] of settingsEntries(newSettings)) {
      const original =
        typeof getter === 'function'
          ? (oldSettings as { get(setting: number): number | null | undefined }).get(setting)
          : (oldSettings as Readonly<Record<number, number>>)[setting];
      changes.set(setting, new ChangedSetting(setting, original ?? null, value));
    }
    return new RemoteSettingsChanged({ changedSettings: changes });
  }
}

/** The shared shape of the two PING events. */
export abstract class PingEvent extends Event {
  /** The event's class name. */
  abstract readonly type: 'PingReceived' | 'PingAckReceived';
  /** The 8 opaque bytes of the PING. */
  readonly pingData: Uint8Array;

  constructor(init: { pingData: Uint8Array }) {
    super();
    this.pingData = init.pingData;
  }

  /** Debug form, as h2's `__repr__` (hex data). */
  override toString(): string {
    return `<${this.type} ping_data:${hex(this.pingData)}>`;
  }
}

/** A PING was received (and already answered). Port of h2.events.PingReceived. */
export class PingReceived extends PingEvent {
  readonly type = 'PingReceived';
}

/**
 * The ACK of one of our PINGs was received; `pingData` is what we sent (to correlate PINGs and
 * measure RTT). Port of h2.events.PingAckReceived.
 */
export class PingAckReceived extends PingEvent {
  readonly type = 'PingAckReceived';
}

/**
 * The peer ended its side of a stream (END_STREAM); the stream may still be open for sending.
 * Port of h2.events.StreamEnded.
 */
export class StreamEnded extends Event {
  readonly type = 'StreamEnded';
  /** The stream the peer ended. */
  readonly streamId: number;

  constructor(init: { streamId: number }) {
    super();
    this.streamId = init.streamId;
  }

  /** Debug form, as h2's `__repr__`. */
  override toString(): string {
    return `<StreamEnded stream_id:${this.streamId}>`;
  }
}

/**
 * A stream was reset: by the peer's RST_STREAM (`remoteReset: true`), or by the core itself after a
 * stream error the peer made (`remoteReset: false`: e.g. a malformed message, PROTOCOL_ERROR, RFC 9113
 * §8.1.1; not emitted for a request refused before it was ever reported). Not emitted for the user's
 * own `resetStream`.
 * Port of h2.events.StreamReset.
 */
export class StreamReset extends Event {
  readonly type = 'StreamReset';
  /** The stream that was reset. */
  readonly streamId: number;
  /** The error code (any 32-bit number; see `ErrorCodes`). */
  readonly errorCode: number;
  /** Whether the peer sent the RST_STREAM (`true`) or we did (`false`). */
  readonly remoteReset: boolean;

  constructor(init: { streamId: number; errorCode?: number; remoteReset?: boolean }) {
    super();
    this.streamId = init.streamId;
    this.errorCode = init.errorCode ?? 0;
    this.remoteReset = init.remoteReset ?? true;
  }

  /** Debug form, as h2's `__repr__` (Python ≥ 3.11 prints the code as a number). */
  override toString(): string {
    return `<StreamReset stream_id:${this.streamId}, error_code:${this.errorCode}, remote_reset:${pyBool(this.remoteReset)}>`;
  }
}

/** The peer promised a pushed stream (PUSH_PROMISE). Port of h2.events.PushedStreamReceived. */
export class PushedStreamReceived extends Event {
  readonly type = 'PushedStreamReceived';
  /** The ID of the stream created by the push. */
  readonly pushedStreamId: number;
  /** The ID of the stream the push is related to. */
  readonly parentStreamId: number;
  /** The request headers the peer pushed. */
  readonly headers: Header[];

  constructor(init: { pushedStreamId?: number; parentStreamId: number; headers?: Header[] }) {
    super();
    this.pushedStreamId = init.pushedStreamId ?? 0;
    this.parentStreamId = init.parentStreamId;
    this.headers = init.headers ?? [];
  }

  /** Debug form, as h2's `__repr__`. */
  override toString(): string {
    return `<PushedStreamReceived pushed_stream_id:${this.pushedStreamId}, parent_stream_id:${this.parentStreamId}, headers:${headersRepr(this.headers)}>`;
  }
}

/**
 * The peer acknowledged our SETTINGS; the values in `changedSettings` are now in force (empty for an
 * unsolicited ACK). Port of h2.events.SettingsAcknowledged.
 */
export class SettingsAcknowledged extends SettingsEvent {
  readonly type = 'SettingsAcknowledged';
}

/**
 * A stream sent (RFC 7540) priority information, in a PRIORITY frame or on HEADERS. Advisory only.
 * Port of h2.events.PriorityUpdated.
 */
export class PriorityUpdated extends Event {
  readonly type = 'PriorityUpdated';
  /** The stream whose priority changed. */
  readonly streamId: number;
  /** The weight, 1–256. */
  readonly weight: number;
  /** The stream it depends on (may be 0). */
  readonly dependsOn: number;
  /** Whether the dependency is exclusive. */
  readonly exclusive: boolean;

  constructor(init: { streamId: number; weight: number; dependsOn: number; exclusive: boolean }) {
    super();
    this.streamId = init.streamId;
    this.weight = init.weight;
    this.dependsOn = init.dependsOn;
    this.exclusive = init.exclusive;
  }

  /** Debug form, as h2's `__repr__`. */
  override toString(): string {
    return `<PriorityUpdated stream_id:${this.streamId}, weight:${this.weight}, depends_on:${this.dependsOn}, exclusive:${pyBool(this.exclusive)}>`;
  }
}

/**
 * The peer tore the connection down with GOAWAY; no further action is possible on it.
 * Port of h2.events.ConnectionTerminated.
 */
export class ConnectionTerminated extends Event {
  readonly type = 'ConnectionTerminated';
  /** The error code the peer gave (any 32-bit number; see `ErrorCodes`). */
  readonly errorCode: number;
  /** The highest stream ID the peer processed: higher streams may be retried elsewhere. */
  readonly lastStreamId: number;
  /** The GOAWAY debug data, or `null` when it was empty. */
  readonly additionalData: Uint8Array | null;

  constructor(init: { errorCode: number; lastStreamId: number; additionalData?: Uint8Array | null }) {
    super();
    this.errorCode = init.errorCode;
    this.lastStreamId = init.lastStreamId;
    this.additionalData = init.additionalData ?? null;
  }

  /** Debug form, as h2's `__repr__` (hex of the first 20 bytes of debug data). */
  override toString(): string {
    const data = this.additionalData && this.additionalData.length > 0 ? hex(this.additionalData.subarray(0, 20)) : 'None';
    return `<ConnectionTerminated error_code:${this.errorCode}, last_stream_id:${this.lastStreamId}, additional_data:${data}>`;
  }
}

/**
 * The server advertised an RFC 7838 alternative service (ALTSVC); clients only.
 * Port of h2.events.AlternativeServiceAvailable.
 */
export class AlternativeServiceAvailable extends Event {
  readonly type = 'AlternativeServiceAvailable';
  /** The origin the advertisement applies to: sent by the server, or the stream's `:authority` (empty if the request had none; h2 gives None). */
  readonly origin: Uint8Array;
  /** The Alt-Svc field value, exactly as sent (unparsed; RFC 7838 §3 gives its syntax). */
  readonly fieldValue: Uint8Array;

  constructor(init: { origin?: Uint8Array; fieldValue?: Uint8Array } = {}) {
    super();
    this.origin = init.origin ?? EMPTY;
    this.fieldValue = init.fieldValue ?? EMPTY;
  }

  /** Debug form, as h2's `__repr__` (UTF-8 with invalid sequences dropped). */
  override toString(): string {
    return `<AlternativeServiceAvailable origin:${utf8Decode(this.origin, false)}, field_value:${utf8Decode(this.fieldValue, false)}>`;
  }
}

/**
 * A frame of a type the core does not know arrived (extensions; RFC 9113 §4.1 says to ignore it).
 * Port of h2.events.UnknownFrameReceived.
 */
export class UnknownFrameReceived extends Event {
  readonly type = 'UnknownFrameReceived';
  /** The frame itself (an `ExtensionFrame`). */
  readonly frame: Frame;

  constructor(init: { frame: Frame }) {
    super();
    this.frame = init.frame;
  }

  /** Debug form, as h2's `__repr__`. */
  override toString(): string {
    return '<UnknownFrameReceived>';
  }
}

/** Every public event; `switch (event.type)` narrows it. */
export type H2Event =
  | RequestReceived
  | ResponseReceived
  | TrailersReceived
  | InformationalResponseReceived
  | DataReceived
  | WindowUpdated
  | RemoteSettingsChanged
  | PingReceived
  | PingAckReceived
  | StreamEnded
  | StreamReset
  | PushedStreamReceived
  | SettingsAcknowledged
  | PriorityUpdated
  | ConnectionTerminated
  | AlternativeServiceAvailable
  | UnknownFrameReceived;

/**
 * An event with its readonly fields writable. Internal to the core, like {@link fillEvent}, for the
 * per-frame paths that fill an event's payload without building an object of fields.
 */
export type Writable<E> = { -readonly [K in keyof E]: E[K] };

/**
 * Fills fields of an event after construction. Internal to the core: the stream state machine
 * creates header/data events before their payload is known (h2's `_LAZY_INIT` pattern), and the
 * connection attaches related events (`priorityUpdated`). Not part of the public API.
 */
export function fillEvent<E extends Event>(event: E, fields: { -readonly [K in keyof E]?: E[K] }): E {
  return Object.assign(event, fields);
}

// --- debug representations ---

const EMPTY = new Uint8Array(0);

function hex(data: Uint8Array): string {
  let s = '';
  for (let i = 0; i < data.length; i++) s += (data[i] as number).toString(16).padStart(2, '0');
  return s;
}

function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

/** Python's `repr` of a str: single quotes unless the text holds `'` and no `"`. */
function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const c = s.charCodeAt(i);
    if (ch === '\\' || ch === quote) out += '\\' + ch;
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || (c >= 0x7f && c <= 0xa0)) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

function headersRepr(headers: readonly Header[]): string {
  return `[${headers.map((h) => `(${pyRepr(h[0])}, ${pyRepr(h[1])})`).join(', ')}]`;
}

function settingsEntries(values: SettingsValues): Iterable<readonly [number, number]> {
  if (values instanceof Map) return values as ReadonlyMap<number, number>;
  return Object.entries(values as Readonly<Record<number, number>>).map(([k, v]) => [Number(k), v] as const);
}
