/**
 * The oracle's scenario format and the builder that writes scenarios: API calls on the connection
 * under test and `receive` steps whose bytes a {@link TestPeer} builds (so python and h2flow get
 * identical input). Scenarios are plain JSON, run by driver.py (python h2) and run.ts (h2flow).
 */
import { TestPeer } from '../peer';
import { concat, hex } from '../bytes';

/** The side the connection under test plays. */
export type Role = 'client' | 'server';

/** A header as scenarios carry it: `[name, value]`, plus `1` for a never-indexed field. */
export type ScenarioHeader = [string, string] | [string, string, 1];

/** One step: an API call (`op` = h2flow method name) or `receive` (hex bytes), or a `query` of a property. */
export interface Step {
  op: string;
  [arg: string]: unknown;
}

/** What the last step of a scenario tagged with a difference must produce on h2flow (h2 4.4 semantics). */
export interface LastStepExpectation {
  /** Exception class name, or `null` for "no exception". */
  err?: string | null;
  /** The exception's error code. */
  code?: number;
  /** Emitted frames as `TYPE` or `TYPE:code` (RST_STREAM/GOAWAY), in order. */
  frames?: string[];
  /** Event type names, in order. */
  events?: string[];
}

/** A scenario: the connection's role and config, and its steps. */
export interface Scenario {
  name: string;
  role: Role;
  config: Record<string, unknown>;
  steps: Step[];
  /** Id of the entry in differences.ts that explains why h2 4.1 (the oracle) answers differently. */
  differs?: string;
  /** With `differs`: what h2flow (4.4 semantics) must produce at the last step instead of the oracle's answer. */
  expectLast?: LastStepExpectation;
  /** Ids of `allowed` differences whose excuses apply in this scenario (and nowhere else). */
  allows?: string[];
}

/** A plain GET request. */
export const REQ: ScenarioHeader[] = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':authority', 'example.com'],
  [':path', '/'],
];

/** A POST request head. */
export const POST: ScenarioHeader[] = [
  [':method', 'POST'],
  [':scheme', 'https'],
  [':authority', 'example.com'],
  [':path', '/upload'],
  ['content-type', 'text/plain'],
];

/** A 200 response head. */
export const RESP: ScenarioHeader[] = [[':status', '200'], ['server', 'oracle']];

/** `n` copies of `c` (a body or header value of a given size). */
export const bodyOf = (n: number, c = 'x'): string => c.repeat(n);

/** Latin-1 text as hex (scenario `data` fields). */
export const hexOf = (s: string): string => hex(Uint8Array.from(s, (c) => c.charCodeAt(0)));

/**
 * Writes one scenario. `peer` plays the other side: its builders make the bytes of `recv()` steps.
 * Role-neutral helpers (`request`, `respond`, `body`) send or receive depending on who plays whom.
 */
export class Script {
  readonly peer: TestPeer;
  readonly steps: Step[] = [];
  config: Record<string, unknown> = {};
  differs?: string;
  expectLast?: LastStepExpectation;
  readonly allows: string[] = [];

  constructor(readonly name: string, readonly role: Role) {
    this.peer = new TestPeer(role === 'client' ? 'server' : 'client');
  }

  /** Calls `op` on the connection with named arguments. */
  do(op: string, args: Record<string, unknown> = {}): this {
    // h2flow takes settings as a record, whose integer keys iterate in ascending order; give h2
    // (a dict, insertion order) the same order so both emit the same SETTINGS frame.
    if (op === 'updateSettings') args = { ...args, settings: [...(args['settings'] as [number, number][])].sort((a, b) => a[0] - b[0]) };
    this.steps.push({ op, ...args });
    return this;
  }

  /** The connection receives these bytes (one `receiveData` call). */
  recv(...chunks: Uint8Array[]): this {
    this.steps.push({ op: 'receive', hex: hex(concat(...chunks)) });
    return this;
  }

  /** Reads a connection property (`openOutboundStreams`, `localSettings`, ...). */
  query(what: string): this {
    return this.do('query', { what });
  }

  /** Handshake: initiateConnection, then the peer's preface/SETTINGS (`settings`) and its ACK of ours. */
  open(settings: Record<number, number> = {}, { ack = true }: { ack?: boolean } = {}): this {
    this.do('initiateConnection');
    return ack ? this.recv(this.peer.greeting(settings), this.peer.settingsAck()) : this.recv(this.peer.greeting(settings));
  }

  /** The client side sends request headers on `id` (as an API call or as received bytes). */
  request(id: number, headers: ScenarioHeader[] = REQ, endStream = true, extra: Record<string, unknown> = {}): this {
    return this.role === 'client'
      ? this.do('sendHeaders', { streamId: id, headers, endStream, ...extra })
      : this.recv(this.peer.headers(id, headers, { endStream }));
  }

  /** The server side sends response (or informational/trailer) headers on `id`. */
  respond(id: number, headers: ScenarioHeader[] = RESP, endStream = false): this {
    return this.role === 'server'
      ? this.do('sendHeaders', { streamId: id, headers, endStream })
      : this.recv(this.peer.headers(id, headers, { endStream }));
  }

  /** The client side sends a body chunk on `id`. */
  clientBody(id: number, text: string, endStream = false): this {
    return this.role === 'client' ? this.do('sendData', { streamId: id, data: hexOf(text), endStream }) : this.recv(this.peer.data(id, text, { endStream }));
  }

  /** The server side sends a body chunk on `id`. */
  serverBody(id: number, text: string, endStream = false): this {
    return this.role === 'server' ? this.do('sendData', { streamId: id, data: hexOf(text), endStream }) : this.recv(this.peer.data(id, text, { endStream }));
  }

  /** Marks the scenario as differing between h2 4.1 and 4.4 (see differences.ts) with h2flow's expected last step. */
  differ(id: string, expectLast: LastStepExpectation): this {
    this.differs = id;
    this.expectLast = expectLast;
    return this;
  }

  /** Lets this scenario use the excuses of an `allowed` difference (see differences.ts). */
  allow(id: string): this {
    if (!this.allows.includes(id)) this.allows.push(id);
    return this;
  }

  /** The finished scenario (JSON data). */
  build(): Scenario {
    const s: Scenario = { name: this.name, role: this.role, config: this.config, steps: this.steps };
    if (this.allows.length > 0) s.allows = [...this.allows];
    if (this.differs !== undefined) s.differs = this.differs;
    if (this.expectLast !== undefined) s.expectLast = this.expectLast;
    return s;
  }
}

/** Both roles, for families that apply to each. */
export const ROLES: readonly Role[] = ['client', 'server'];
