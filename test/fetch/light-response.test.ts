/**
 * LightResponse behaves as the runtime's Response built from the same arguments: its fields, headers,
 * body methods, clone(), and the errors the Response constructor throws.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LightResponse, lightResponseParts } from '../../src/fetch/light-response';

const Light = suite('LightResponse');

type Args = [ConstructorParameters<typeof Response>[0], ConstructorParameters<typeof Response>[1]];

async function view(r: Response): Promise<unknown> {
  return { status: r.status, ok: r.ok, statusText: r.statusText, type: r.type, url: r.url, redirected: r.redirected, headers: [...r.headers], bodyUsed: r.bodyUsed, text: await r.text(), after: r.bodyUsed };
}

const CASES: Args[] = [
  ['hello', undefined],
  ['héllo', { status: 201, headers: { 'X-A': ' 1 ', 'content-type': 'text/html' } }],
  [new Uint8Array([1, 2, 3]), { headers: [['x-b', '2'], ['x-b', '3']] }],
  [null, { status: 204 }],
  [undefined, { status: 404, headers: new Headers({ 'x-c': 'c' }) }],
  ['', { status: 500, statusText: 'Bad' }],
  [new Blob(['blob']), undefined],
];

for (const [body, init] of CASES) {
  Light(`new LightResponse(${typeof body === 'string' ? JSON.stringify(body) : Object.prototype.toString.call(body)}, ${JSON.stringify(init)}) reads as new Response() does`, async () => {
    const light = new LightResponse(body, init);
    assert.ok(light instanceof Response);
    assert.equal(await view(light), await view(new Response(body, init)));
  });
}

Light('a LightResponse clones, and both copies read the body', async () => {
  const light = new LightResponse('twice', { headers: { 'x-a': '1' } });
  const copy = light.clone();
  assert.ok(copy instanceof Response);
  assert.is(copy.headers.get('x-a'), '1');
  assert.is(await copy.text(), 'twice');
  assert.is(await light.text(), 'twice');
});

Light('a LightResponse gives its body as a stream, json() and arrayBuffer()', async () => {
  assert.equal(await new LightResponse('{"a":1}').json(), { a: 1 });
  assert.is((await new LightResponse(new Uint8Array(7)).arrayBuffer()).byteLength, 7);
  const reader = new LightResponse('s').body!.getReader();
  assert.equal([...(await reader.read()).value!], [0x73]);
});

Light('LightResponse refuses what Response refuses: a bad header, a status out of range, a body with a null-body status', () => {
  for (const [body, init] of [
    ['x', { headers: { 'bad name': 'v' } }],
    ['x', { headers: { 'x-a': 'v\r\nx-b: w' } }],
    ['x', { headers: [['x-a']] as unknown as [string, string][] }],
    ['x', { status: 99 }],
    ['x', { status: 204 }],
  ] as Args[]) {
    let expected: unknown;
    try {
      new Response(body, init);
    } catch (e) {
      expected = e;
    }
    // Runtimes differ (Bun takes a body with status 204): LightResponse refuses exactly what Response does.
    if (expected === undefined) new LightResponse(body, init);
    else assert.throws(() => new LightResponse(body, init), (e: unknown) => e instanceof (expected as Error).constructor, JSON.stringify(init));
  }
});

Light("h2flow's server sends a LightResponse's string, bytes or null body as given, with its status and fields", () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const text = lightResponseParts(new LightResponse('hi', { status: 201, headers: { 'X-A': ' 1 ' } }));
  assert.equal(text, { status: 201, fields: [['x-a', '1'], ['content-type', 'text/plain;charset=UTF-8']], body: 'hi' });
  assert.is(lightResponseParts(new LightResponse(bytes, { headers: { 'content-type': 'a/b' } }))?.body, bytes, 'the very array');
  assert.is(lightResponseParts(new LightResponse(null, { status: 204 }))?.body, null);
  assert.is(lightResponseParts(new Response('hi')), null, 'a Response is sent as one');
});

Light("a LightResponse's fields: the default content-type only for text without one, each response its own values", () => {
  // Sorted: where LightResponse is a Response subclass (Bun), its fields come from its Headers, in their order.
  const sorted = (response: Response): unknown => {
    const parts = lightResponseParts(response);
    return parts === null ? null : [...parts.fields].map((f) => [...f]).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
  };
  const fields = (body: string | null, headers?: ConstructorParameters<typeof Headers>[0]): unknown =>
    sorted(new LightResponse(body, headers === undefined ? undefined : { headers }));
  const TEXT = ['content-type', 'text/plain;charset=UTF-8'];
  assert.equal(fields('t'), [TEXT]);
  assert.equal(fields(null), []);
  assert.equal(fields('t', { 'Content-Type': 'a/b' }), [['content-type', 'a/b']]);
  assert.equal(fields('t', { 'x-a': '1' }), [TEXT, ['x-a', '1']]);
  assert.equal(fields('t', { 'x-a': '2' }), [TEXT, ['x-a', '2']], 'the same name, another value');
  assert.equal(fields('t', { 'x-b': '2' }), [TEXT, ['x-b', '2']], 'another name, the same value');
  assert.equal(fields(null, { 'x-b': '2', 'X-C': '3' }), [['x-b', '2'], ['x-c', '3']]);
  assert.equal(fields('t', [['X-C', ' 3 '], ['content-type', 'c/d']]), [['content-type', 'c/d'], ['x-c', '3']]);
  assert.equal(fields('t', new Headers({ 'x-d': '4' })), [TEXT, ['x-d', '4']]);
  assert.equal(fields('t', {}), [TEXT]);
  // Each LightResponse's headers are its own: reading one does not change another's.
  const a = new LightResponse('a', { headers: { 'x-e': '5' } });
  const b = new LightResponse('b', { headers: { 'x-e': '5' } });
  a.headers.set('x-e', '6');
  assert.is(b.headers.get('x-e'), '5');
  assert.equal(sorted(b), [TEXT, ['x-e', '5']]);
});

Light('a LightResponse whose body was read, locked or is not in memory is sent as any Response', async () => {
  const locked = new LightResponse('a');
  void locked.body;
  assert.is(lightResponseParts(locked), null);
  const read = new LightResponse('b');
  assert.is(await read.text(), 'b');
  assert.is(lightResponseParts(read), null);
  assert.is(lightResponseParts(new LightResponse(new Blob(['c']))), null);
  assert.is(lightResponseParts(new LightResponse(new ReadableStream())), null);
});

Light.run();
