/**
 * Runs oracle scenarios on both sides: python h2 (driver.py, all scenarios in one process) and h2flow
 * (the same steps against H2Connection), recording normalized events, exceptions, results and frames.
 */
import { readFileSync } from 'node:fs';
import { runPython } from '../python';
import { hex, unhex } from '../bytes';
import { EVENT_FIELDS, normError, normEvent, parseOut, type Json, type ScenarioRecord, type StepRecord } from './normalize';
import type { Scenario, ScenarioHeader, Step } from './script';
import { NeverIndexedHeaderTuple } from '../../../src/hpack';

/** The driver script, read at run time (the tests run from the project root). */
const DRIVER = 'test/support/oracle/driver.py';

/** The h2 release differences.ts describes; another one would need its list reviewed. */
export const ORACLE_H2_VERSION = '4.1.0';

/** Runs every scenario through python h2 in one process; frames are parsed on our side. */
export function runOracle(scenarios: readonly Scenario[]): ScenarioRecord[] {
  const { version, records } = runPython<{ version: string; records: ScenarioRecord[] }>(readFileSync(DRIVER, 'utf8'), { events: EVENT_FIELDS, scenarios }, 300_000);
  if (version !== ORACLE_H2_VERSION) throw new Error(`the oracle is python h2 ${version}, but differences.ts describes h2 ${ORACLE_H2_VERSION}`);
  records.forEach((r, i) => parseOut(r, scenarios[i]!.role === 'client'));
  return records;
}

/** The slice of H2Connection the oracle drives (the public API of the contract). */
export interface OracleConnection {
  initiateConnection(): void;
  initiateUpgradeConnection(settingsHeader?: string | null): string | null;
  getNextAvailableStreamId(): number;
  sendHeaders(streamId: number, headers: Iterable<readonly [string, string]>, options?: Record<string, unknown>): void;
  sendData(streamId: number, data: Uint8Array, options?: Record<string, unknown>): void;
  sendDataFrames(streamId: number, data: Uint8Array, endStream?: boolean): number;
  endStream(streamId: number): void;
  pushStream(streamId: number, promisedStreamId: number, headers: Iterable<readonly [string, string]>): void;
  resetStream(streamId: number, errorCode?: number): void;
  incrementFlowControlWindow(increment: number, options?: { streamId?: number }): void;
  localFlowControlWindow(streamId: number): number;
  remoteFlowControlWindow(streamId: number): number;
  acknowledgeReceivedData(size: number, streamId: number): void;
  ping(data: Uint8Array): void;
  closeConnection(options?: Record<string, unknown>): void;
  updateSettings(settings: Record<number, number>): void;
  advertiseAlternativeService(fieldValue: string, options?: Record<string, unknown>): void;
  prioritize(streamId: number, options?: Record<string, unknown>): void;
  clearOutboundDataBuffer(): void;
  receiveData(data: Uint8Array): unknown[];
  dataToSend(amount?: number): Uint8Array;
}

/** Builds a connection for a scenario (role and config given). */
export type ConnectionFactory = (clientSide: boolean, config: Record<string, unknown>) => OracleConnection;

function headersOf(h: ScenarioHeader[]): [string, string][] {
  return h.map((x) => (x.length === 3 ? (new NeverIndexedHeaderTuple(x[0], x[1]) as unknown as [string, string]) : [x[0], x[1]]));
}

/** Copies the named keys that are present in `step` into an options object. */
function pick(step: Step, ...keys: string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const k of keys) if (k in step) o[k] = step[k];
  return o;
}

function settingsEntries(settings: unknown): Json {
  const entries: [number, number][] = [];
  const s = settings as { entries?: () => Iterable<[number, number]> } & Record<string, number>;
  if (typeof s.entries === 'function') for (const [k, v] of s.entries()) entries.push([Number(k), Number(v)]);
  else for (const [k, v] of Object.entries(s)) entries.push([Number(k), Number(v)]);
  return entries.filter(([, v]) => !Number.isNaN(v)).sort((a, b) => a[0] - b[0]);
}

function runStep(conn: OracleConnection, s: Step): unknown {
  const id = s['streamId'] as number;
  switch (s.op) {
    case 'initiateConnection':
      return conn.initiateConnection();
    case 'initiateUpgradeConnection':
      return 'settingsHeader' in s ? conn.initiateUpgradeConnection(s['settingsHeader'] as string) : conn.initiateUpgradeConnection();
    case 'getNextAvailableStreamId':
      return conn.getNextAvailableStreamId();
    case 'sendHeaders':
      return conn.sendHeaders(id, headersOf(s['headers'] as ScenarioHeader[]), pick(s, 'endStream', 'priorityWeight', 'priorityDependsOn', 'priorityExclusive'));
    case 'sendData':
      return conn.sendData(id, unhex(s['data'] as string), pick(s, 'endStream', 'padLength'));
    case 'sendDataFrames':
      // The frame count it returns is h2flow's own; the oracle compares the frames themselves.
      conn.sendDataFrames(id, unhex(s['data'] as string), s['endStream'] === true);
      return undefined;
    case 'endStream':
      return conn.endStream(id);
    case 'pushStream':
      return conn.pushStream(id, s['promisedStreamId'] as number, headersOf(s['headers'] as ScenarioHeader[]));
    case 'resetStream':
      return 'errorCode' in s ? conn.resetStream(id, s['errorCode'] as number) : conn.resetStream(id);
    case 'incrementFlowControlWindow':
      return conn.incrementFlowControlWindow(s['increment'] as number, 'streamId' in s ? { streamId: id } : {});
    case 'localFlowControlWindow':
      return conn.localFlowControlWindow(id);
    case 'remoteFlowControlWindow':
      return conn.remoteFlowControlWindow(id);
    case 'acknowledgeReceivedData':
      return conn.acknowledgeReceivedData(s['size'] as number, id);
    case 'ping':
      return conn.ping(unhex(s['data'] as string));
    case 'closeConnection': {
      const o = pick(s, 'errorCode', 'lastStreamId');
      if ('additionalData' in s) o['additionalData'] = unhex(s['additionalData'] as string);
      return conn.closeConnection(o);
    }
    case 'updateSettings':
      return conn.updateSettings(Object.fromEntries(s['settings'] as [number, number][]));
    case 'advertiseAlternativeService':
      return conn.advertiseAlternativeService(s['fieldValue'] as string, pick(s, 'origin', 'streamId'));
    case 'prioritize':
      return conn.prioritize(id, pick(s, 'weight', 'dependsOn', 'exclusive'));
    case 'clearOutboundDataBuffer':
      return conn.clearOutboundDataBuffer();
    case 'dataToSend':
      return hex(conn.dataToSend(s['amount'] as number));
    case 'receive':
      return conn.receiveData(unhex(s['hex'] as string));
    case 'query': {
      const what = s['what'] as string;
      const value = (conn as unknown as Record<string, unknown>)[what];
      return what === 'localSettings' || what === 'remoteSettings' ? settingsEntries(value) : value;
    }
    default:
      throw new Error(`unknown op ${s.op}`);
  }
}

/** A PING frame (opaque data 0x70726f6265...), fed after a scenario's last step. */
const PROBE_PING = unhex('0000080600000000007072' + '6f62652d2d2d');

/** Runs one scenario on h2flow, recording the same normal forms as the python driver. */
export function runH2flow(scenario: Scenario, factory: ConnectionFactory): ScenarioRecord {
  const conn = factory(scenario.role === 'client', scenario.config);
  const steps: StepRecord[] = [];
  for (const s of scenario.steps) {
    const rec: StepRecord = { out: '' };
    try {
      const r = runStep(conn, s);
      if (s.op === 'receive') rec.ev = (r as unknown[]).map(normEvent);
      else if (r !== undefined && r !== null) rec.res = r as Json;
    } catch (e) {
      rec.err = normError(e);
    }
    let out: Uint8Array;
    try {
      out = conn.dataToSend();
    } catch (e) {
      out = new Uint8Array(0);
      rec.err ??= normError(e);
    }
    rec.out = hex(out);
    steps.push(rec);
  }
  // The probe: does the connection still answer a PING? (Checked after a malformed message, which
  // python answers by ending the connection and h2flow by resetting one stream.)
  const probe: StepRecord = { out: '' };
  try {
    probe.ev = conn.receiveData(PROBE_PING).map(normEvent);
    probe.out = hex(conn.dataToSend());
  } catch (e) {
    probe.err = normError(e);
  }
  const record: ScenarioRecord = { name: scenario.name, steps, probe };
  parseOut(record, scenario.role === 'client');
  return record;
}
