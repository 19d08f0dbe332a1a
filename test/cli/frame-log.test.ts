/** The `get -v` frame log: nghttp-style lines for every frame, both directions, split at any byte. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CONNECTION_PREFACE,
  DataFrame,
  GoAwayFrame,
  HeadersFrame,
  PingFrame,
  RstStreamFrame,
  SettingsFrame,
  WindowUpdateFrame,
} from '../../src/frame';
import { Encoder } from '../../src/hpack';
import { FrameLog } from '../../src/cli/frame-log';
import { concat } from '../support/bytes';

const Log = suite('frame log');

function logWith(role: 'client' | 'server'): { log: FrameLog; text: () => string } {
  let out = '';
  const log = new FrameLog((t) => (out += t), { role, now: () => 0 });
  return { log, text: () => out };
}

const clientBytes = (enc: Encoder): Uint8Array =>
  concat(
    CONNECTION_PREFACE,
    new SettingsFrame(0, { settings: { 3: 100, 4: 65535 } }).serialize(),
    new HeadersFrame(1, {
      data: enc.encode([
        [':method', 'POST'],
        [':path', '/echo'],
        [':scheme', 'http'],
        [':authority', 'example'],
      ]),
      flags: ['END_HEADERS'],
    }).serialize(),
    new DataFrame(1, { data: new TextEncoder().encode('hello'), flags: ['END_STREAM'] }).serialize(),
  );

Log('sent frames print with type, length, flags, stream id and decoded headers', () => {
  const { log, text } = logWith('client');
  log.sent(clientBytes(new Encoder()));
  const out = text();
  assert.match(out, '[  0.000] send SETTINGS frame <length=12, flags=0x00, stream_id=0>\n          (niv=2)\n          [SETTINGS_MAX_CONCURRENT_STREAMS(0x03):100]');
  assert.match(out, 'send HEADERS frame <length=');
  assert.match(out, 'flags=0x04, stream_id=1>\n          ; END_HEADERS\n          (padlen=0)\n          :method: POST\n          :path: /echo');
  assert.match(out, 'send DATA frame <length=5, flags=0x01, stream_id=1>\n          ; END_STREAM\n');
});

Log('received control frames print their fields as nghttp names them', () => {
  const { log, text } = logWith('client');
  log.received(
    concat(
      new SettingsFrame(0, { flags: ['ACK'] }).serialize(),
      new WindowUpdateFrame(0, { windowIncrement: 1000 }).serialize(),
      new PingFrame(0, { opaqueData: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }).serialize(),
      new RstStreamFrame(3, { errorCode: 8 }).serialize(),
      new GoAwayFrame(0, { lastStreamId: 3, errorCode: 0, additionalData: new TextEncoder().encode('bye') }).serialize(),
    ),
  );
  const out = text();
  assert.match(out, 'recv SETTINGS frame <length=0, flags=0x01, stream_id=0>\n          ; ACK\n          (niv=0)');
  assert.match(out, '(window_size_increment=1000)');
  assert.match(out, '(opaque_data=0102030405060708)');
  assert.match(out, 'recv RST_STREAM frame <length=4, flags=0x00, stream_id=3>\n          (error_code=CANCEL(0x08))');
  assert.match(out, '(last_stream_id=3, error_code=NO_ERROR(0x00), opaque_data(3)=[bye])');
});

Log('bytes split at every offset print the same log as one chunk', () => {
  const bytes = clientBytes(new Encoder());
  const whole = logWith('client');
  whole.log.sent(bytes);
  for (let cut = 1; cut < bytes.length; cut += 7) {
    const split = logWith('client');
    split.log.sent(bytes.subarray(0, cut));
    split.log.sent(bytes.subarray(cut));
    assert.is(split.text(), whole.text(), `cut at ${cut}`);
  }
});

Log('the dynamic table carries across header blocks of one direction', () => {
  const enc = new Encoder();
  const { log, text } = logWith('server');
  const block = (): Uint8Array => enc.encode([[':status', '200'], ['x-custom', 'kept in the table']]);
  log.sent(concat(new HeadersFrame(1, { data: block(), flags: ['END_HEADERS'] }).serialize(), new HeadersFrame(3, { data: block(), flags: ['END_HEADERS'] }).serialize()));
  assert.is(text().split('x-custom: kept in the table').length - 1, 2);
});

Log('garbage instead of the preface prints one error line and stops that direction', () => {
  const { log, text } = logWith('server');
  log.received(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'));
  log.received(new Uint8Array(20));
  assert.is(text().split('\n').filter(Boolean).length, 1);
  assert.match(text(), 'recv unparsable bytes');
});

Log.run();
