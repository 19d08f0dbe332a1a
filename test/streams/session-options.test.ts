/**
 * Plain-JavaScript callers of the streams layer: H2Session's options (and the nested timeouts,
 * settings and core config), request(), close(), updateSettings() and respond() refuse a non-object
 * and unknown keys, suggesting the camelCase name, instead of silently reading them as "no options";
 * respond() and end() refuse a body that is neither bytes nor text.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { H2Session, type H2Stream } from '../../src/streams';
import { duplexPair, rejection } from '../support/duplex-pair';

const Options = suite('H2Session options');

const GET: [string, string][] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'example.com']];

function throwsType(fn: () => unknown, message: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof TypeError, String(e));
    assert.match((e as Error).message, message);
    return;
  }
  assert.unreachable(`expected a TypeError matching ${message}`);
}

Options('H2Session refuses options that are not an object, a misspelt role, and unknown keys at any depth', () => {
  const [end] = duplexPair();
  throwsType(() => new H2Session(end, 'server' as never), 'H2Session: expected an options object');
  throwsType(() => new H2Session(end, undefined as never), 'H2Session: options with a role');
  throwsType(() => new H2Session(end, { role: 'Server' } as never), `H2Session: role must be 'server' or 'client'`);
  throwsType(() => new H2Session(end, { role: 'server', event_buffer_size: 4 } as never), 'did you mean eventBufferSize?');
  throwsType(() => new H2Session(end, { role: 'server', timeouts: { settings_ack: 1 } } as never), 'H2Session timeouts: unknown option "settings_ack"; did you mean settingsAck?');
  throwsType(() => new H2Session(end, { role: 'server', timeouts: 1000 } as never), 'H2Session timeouts: expected an options object');
  throwsType(() => new H2Session(end, { role: 'server', settings: { max_concurrent_streams: 1 } } as never), 'did you mean maxConcurrentStreams?');
  throwsType(() => new H2Session(end, { role: 'server', config: { max_header_list_size: 1 } } as never), 'H2Configuration: unknown option "max_header_list_size"; did you mean maxHeaderListSize?');
});

Options('request(), close() and respond() refuse a non-object and unknown keys', async () => {
  const [a, b] = duplexPair();
  const server = new H2Session(a, { role: 'server' });
  const client = new H2Session(b, { role: 'client' });
  const served: Promise<void> = (async () => {
    for await (const stream of server.incoming) {
      respondChecks(stream);
      stream.respond([[':status', '204']], { endStream: true });
    }
  })();
  for (const bad of [true, 1, null, 'endStream']) {
    const err = await rejection(client.request(GET, bad as never));
    assert.ok(err instanceof TypeError && err.message.startsWith('H2Session.request:'), String(err));
  }
  const err = await rejection(client.request(GET, { end_stream: true } as never));
  assert.match(String(err), 'did you mean endStream?');
  const stream = await client.request(GET, { endStream: true });
  assert.equal(await stream.response, [[':status', '204']]);
  assert.match(String(await rejection(client.close(false as never))), 'H2Session.close: expected an options object');
  assert.match(String(await rejection(client.updateSettings({ max_concurrent_streams: 5 } as never))), 'H2Session.updateSettings: unknown option "max_concurrent_streams"; did you mean maxConcurrentStreams?');
  assert.match(String(await rejection(client.updateSettings(5 as never))), 'H2Session.updateSettings: expected an options object');
  const open = await client.request(GET);
  assert.match(String(await rejection(open.end(42 as never))), 'H2Stream.end: a body must be a Uint8Array or a string');
  await open.end();
  await open.response;
  assert.match(String(await rejection(client.close({ error_code: 1 } as never))), 'did you mean errorCode?');
  await client.close();
  await server.close();
  await served;
});

function respondChecks(stream: H2Stream): void {
  throwsType(() => stream.respond([[':status', '200']], true as never), 'H2Stream.respond: expected an options object');
  throwsType(() => stream.respond([[':status', '200']], { body: new ReadableStream() } as never), 'H2Stream.respond: a body must be a Uint8Array or a string');
  throwsType(() => stream.respond([[':status', '200']], { body: new ArrayBuffer(4) } as never), 'H2Stream.respond: a body must be');
  throwsType(() => stream.respond([[':status', '200']], { end_stream: true } as never), 'did you mean endStream?');
  throwsType(() => stream.respond([[':status', '200']], { endStream: 'yes' } as never), 'H2Stream.respond: endStream must be a boolean');
}

Options.run();
