/**
 * A consumer of every public entry, imported by package name through the package's `exports`.
 * test/types/consumer.test.ts compiles it strictly, without skipLibCheck, under each module resolution.
 * Each `@ts-expect-error` line is an error only if h2flow's types really resolved: were an import
 * silently `any`, the directive would be unused, and that is an error too.
 */
import { ErrorCodes, H2Client, H2Session, H2StreamError, ProtocolError, serveSession, withTrailers } from 'h2flow';
import type { FetchHandler, H2SessionOptions, H2Transport } from 'h2flow';
import { Decoder, Encoder } from 'h2flow/hpack';
import { FrameBuffer, PingFrame } from 'h2flow/frame';
import { H2Configuration, H2Connection, RequestReceived } from 'h2flow/core';
import { H2Stream, toNative } from 'h2flow/streams';
import { respondToStream } from 'h2flow/fetch';
import { connectWebTransport, serveWebTransport, webTransportTransport } from 'h2flow/webtransport';
import type { HttpServer, WebTransportBidiStreamLike } from 'h2flow/webtransport';

declare const transport: H2Transport;

// h2flow (the runtime-neutral root)
const options: H2SessionOptions = { role: 'server', settings: { maxConcurrentStreams: 10 } };
const session = new H2Session(transport, options);
// @ts-expect-error: a session's role is 'server' or 'client'
new H2Session(transport, { role: 'peer' });
const handler: FetchHandler = () => withTrailers(new Response('hi'), Promise.resolve({ 'x-sum': '1' }));
void serveSession(session, handler);
// @ts-expect-error: a handler is a function
void serveSession(session, 42);
const client = new H2Client(session, { baseUrl: 'http://example.test' });
void client.fetch('/', { method: 'POST', body: 'x' });
const code: number = new H2StreamError(1, ErrorCodes.CANCEL, true).code;
// @ts-expect-error: the code is a number
const notCode: string = new H2StreamError(1, ErrorCodes.CANCEL, true).code;
const err: Error = new ProtocolError('bad');

// h2flow/hpack
const block: Uint8Array = new Encoder().encode([[':method', 'GET']]);
const headers = new Decoder().decode(block);
// @ts-expect-error: a decoded header list is not a string
const notHeaders: string = headers;

// h2flow/frame
const frames = new FrameBuffer();
const ping = new PingFrame(0);
// @ts-expect-error: a frame buffer is not a number
const notFrames: number = frames;

// h2flow/core
const conn = new H2Connection(new H2Configuration({ clientSide: false }));
conn.initiateConnection();
const out: Uint8Array = conn.dataToSend();
const events = conn.receiveData(out);
for (const event of events) if (event instanceof RequestReceived) void event.streamId;
// @ts-expect-error: clientSide is a boolean
new H2Configuration({ clientSide: 'yes' });

// h2flow/streams
declare const stream: H2Stream;
const body: ReadableStream<Uint8Array> = toNative(stream.readable);
// @ts-expect-error: an H2Stream is not its readable
const notBody: ReadableStream<Uint8Array> = stream;
// A session is async-iterable over H2Stream (its requests, or a client's pushed streams).
async function takeStreams(server: H2Session): Promise<number> {
  for await (const s of server) {
    const id: number = s.id;
    // @ts-expect-error: what iterating a session yields is an H2Stream, not a string
    const notStream: string = s;
    return id;
  }
  return 0;
}
void takeStreams(session);

// h2flow/fetch
void respondToStream(stream, session, handler);
// @ts-expect-error: respondToStream answers a stream, not a session
void respondToStream(session, session, handler);

// h2flow/webtransport
declare const bidi: WebTransportBidiStreamLike;
const tunnel: H2Transport = webTransportTransport(bidi);
const wtClient: H2Client = connectWebTransport('https://127.0.0.1:4433/h2', { serverCertificateHashes: [{ algorithm: 'sha-256', value: new Uint8Array(32) }] });
const wtServer: HttpServer = serveWebTransport({ port: 4433, cert: 'PEM', key: 'PEM' }, handler);
// @ts-expect-error: a WebTransport pair wraps a bidirectional stream, not a URL
webTransportTransport('https://127.0.0.1:4433/h2');

export { tunnel, wtClient, wtServer };
export { body, code, err, notBody, notCode, notFrames, notHeaders, ping };
