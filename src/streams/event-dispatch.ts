/**
 * Event dispatch: each event the core returned goes to the stream it concerns (header blocks, DATA,
 * ends, resets), to the sender (window updates), or to the session's waiters (PING and SETTINGS ACKs,
 * GOAWAY). Layer: streams (runtime-neutral).
 */
import { ErrorCodes } from '../core/index.ts';
import type { ConnectionTerminated, H2Event, PushedStreamReceived, RequestReceived } from '../core/index.ts';
import { H2SessionError } from './errors.ts';
import type { SessionPump } from './session-pump.ts';
import { OPEN } from './session-state.ts';
import { StreamRecord } from './stream-record.ts';

/** Delivers one core event (called by the pump, never re-entered). */
export function dispatchEvent(pump: SessionPump, ev: H2Event): void {
  switch (ev.type) {
    case 'RequestReceived':
      onRequest(pump, ev);
      break;
    case 'ResponseReceived':
      pump.records.get(ev.streamId)?.onResponse(ev.headers);
      break;
    case 'InformationalResponseReceived':
      pump.records.get(ev.streamId)?.onInformational(ev.headers);
      break;
    case 'TrailersReceived':
      pump.records.get(ev.streamId)?.onTrailers(ev.headers);
      break;
    case 'DataReceived': {
      const record = pump.records.get(ev.streamId);
      if (record !== undefined) record.onData(ev.data, ev.flowControlledLength);
      else pump.acknowledge(ev.streamId, ev.flowControlledLength);
      break;
    }
    case 'StreamEnded':
      pump.records.get(ev.streamId)?.onRemoteEnd();
      break;
    case 'StreamReset':
      pump.records.get(ev.streamId)?.onReset(ev.errorCode, ev.remoteReset);
      break;
    case 'WindowUpdated':
      if (ev.streamId === 0) pump.data.unblockAll();
      else pump.data.unblock(ev.streamId);
      break;
    case 'RemoteSettingsChanged':
      pump.onRemoteSettings();
      break;
    case 'PingAckReceived': {
      pump.settlePing(new DataView(ev.pingData.buffer, ev.pingData.byteOffset, 8).getUint32(4), false);
      break;
    }
    case 'SettingsAcknowledged': {
      // The next SETTINGS still unacknowledged (if any) gets a full period of its own.
      if (pump.settingsAcknowledged() === 0) pump.timers.settingsAcknowledged();
      else pump.timers.settings.rearm();
      break;
    }
    case 'PushedStreamReceived':
      onPush(pump, ev);
      break;
    case 'ConnectionTerminated':
      onGoAway(pump, ev);
      break;
    default:
      break;
  }
}

function onRequest(pump: SessionPump, ev: RequestReceived): void {
  const record = new StreamRecord(pump, ev.streamId, ev.headers, { localEnded: false, headersSent: false, parentId: null, receiveWindow: pump.receiveWindow });
  // Nobody takes requests any more: refuse it (RFC 9113 §8.7: REFUSED_STREAM means not processed).
  pump.addPeerStream(record, ErrorCodes.REFUSED_STREAM);
}

function onPush(pump: SessionPump, ev: PushedStreamReceived): void {
  const record = new StreamRecord(pump, ev.pushedStreamId, ev.headers, { localEnded: true, headersSent: true, parentId: ev.parentStreamId, receiveWindow: pump.receiveWindow });
  pump.addPeerStream(record, ErrorCodes.CANCEL);
}

function onGoAway(pump: SessionPump, ev: ConnectionTerminated): void {
  pump.goawayReceived = true;
  if (ev.errorCode !== ErrorCodes.NO_ERROR) {
    const error = new H2SessionError(ev.errorCode, true, `peer closed the connection (GOAWAY error code ${ev.errorCode})`);
    pump.lifecycle.terminate(ev.errorCode, error, true);
    return;
  }
  // RFC 9113 §6.8: "Receivers of a GOAWAY frame MUST NOT open additional streams on the connection."
  // The core refuses our streams above lastStreamId itself (StreamReset REFUSED_STREAM events follow).
  pump.rejectSlotWaiters(new H2SessionError(ErrorCodes.NO_ERROR, true, 'peer sent GOAWAY: no new streams'));
  if (pump.state === OPEN) void pump.lifecycle.drain();
  else pump.lifecycle.endRoundTrip();
}
