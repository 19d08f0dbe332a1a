/**
 * Differential test of the header pipelines against Debian's python h2 (4.1) utilities: seeded random
 * header blocks, restricted to the rules 4.1 and 4.4.1 share (no CONNECT, at most one host, no control
 * octets or in-name colons, no empty outbound names), must be accepted or refused alike and normalise
 * to the same fields, never-indexing included.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Header } from '../../src/core/events';
import { validateHeaders, validateOutboundHeaders } from '../../src/core/header-validation';
import { type HeaderValidationFlags, normalizeInboundHeaders, normalizeOutboundHeaders } from '../../src/core/headers';
import { ProtocolError } from '../../src/core/exceptions';
import { NeverIndexedHeaderTuple } from '../../src/hpack/index';
import { mulberry32 } from '../support/prng';
import { runPython } from '../support/python';

const Oracle = suite('header pipelines vs python h2');

interface Case {
  headers: [string, string][];
  flags: [boolean, boolean, boolean, boolean];
  inbound: boolean;
  /** Always false: h2 4.1 has no split_outbound_cookies (added in 4.2). */
  split: boolean;
}
interface Outcome {
  ok: boolean;
  headers: [string, string, boolean][];
}

const PYTHON = `
import json, sys
from h2.utilities import (HeaderValidationFlags, normalize_inbound_headers, normalize_outbound_headers,
                          validate_headers, validate_outbound_headers)
from h2.exceptions import ProtocolError
from hpack import NeverIndexedHeaderTuple
out = []
for case in json.load(sys.stdin):
    hs = [(n.encode('latin-1'), v.encode('latin-1')) for n, v in case['headers']]
    flags = HeaderValidationFlags(*case['flags'])
    try:
        if case['inbound']:
            res = list(validate_headers(normalize_inbound_headers(hs, flags), flags))
        else:
            res = list(validate_outbound_headers(normalize_outbound_headers(hs, flags), flags))
        out.append({'ok': True, 'headers': [[n.decode('latin-1'), v.decode('latin-1'), isinstance(h, NeverIndexedHeaderTuple)] for h in res for n, v in [h]]})
    except ProtocolError:
        out.append({'ok': False, 'headers': []})
json.dump(out, sys.stdout)
`;

const NAMES = [':method', ':path', ':scheme', ':authority', ':status', ':protocol', ':custom', 'host', 'te', 'cookie', 'Cookie',
  'connection', 'Keep-Alive', 'upgrade', 'x-a', 'X-Mixed', 'user-agent', 'authorization', 'proxy-authorization', ' x-lead', 'x-trail '];
const BENIGN = ['x-a', 'user-agent', 'accept', 'cookie', 'Cookie', 'X-Mixed', 'authorization', 'te', 'host'];
const VALUES = ['GET', 'POST', 'HEAD', '/', '', 'https', 'example.com', 'other.example', 'trailers', 'TRAILERS', 'chunked', '200', '100', '103',
  ' lead', 'trail ', '\tx', 'a=b', 'a=b; c=d', 'a cookie value longer than twenty', 'caf\xe9'];

function generate(seed: number, count: number): Case[] {
  const rng = mulberry32(seed);
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const inbound = rng.int(2) === 0;
    const flags: Case['flags'] = [rng.int(2) === 0, rng.int(4) === 0, rng.int(2) === 0, rng.int(4) === 0];
    const headers: [string, string][] = [];
    // Most blocks start as the kind the flags expect, so the deeper rules get exercised too.
    if (rng.int(4) !== 0 && !flags[1]) {
      if (flags[2]) headers.push([':status', rng.pick(['200', '100', '204'])]);
      else headers.push([':method', rng.pick(['GET', 'POST', 'HEAD'])], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/']);
    }
    const extra = rng.int(5);
    let hosts = 0;
    for (let j = 0; j < extra; j++) {
      let name = rng.int(2) === 0 ? rng.pick(BENIGN) : rng.pick(NAMES);
      if (name === 'host' && hosts++ > 0) name = 'x-a';
      if (!inbound && name.length === 0) name = 'x-a';
      const value = name === ':method' ? rng.pick(['GET', 'POST']) : rng.pick(VALUES);
      headers.splice(rng.int(headers.length + 1), 0, [name, value]);
    }
    cases.push({ headers, flags, inbound, split: false });
  }
  return cases;
}

function ours(c: Case): Outcome {
  const [isClient, isTrailer, isResponseHeader, isPushPromise] = c.flags;
  const flags: HeaderValidationFlags = { isClient, isTrailer, isResponseHeader, isPushPromise };
  try {
    let hs: Header[];
    if (c.inbound) {
      hs = normalizeInboundHeaders(c.headers, flags);
      validateHeaders(hs, flags);
    } else {
      hs = normalizeOutboundHeaders(c.headers, flags, c.split);
      validateOutboundHeaders(hs, flags);
    }
    return { ok: true, headers: hs.map((h) => [h[0], h[1], h instanceof NeverIndexedHeaderTuple]) };
  } catch (err) {
    if (err instanceof ProtocolError) return { ok: false, headers: [] };
    throw err;
  }
}

Oracle('random header blocks are accepted, refused and normalised exactly as h2 does', () => {
  const cases = generate(0x4ead, 3000);
  const expected = runPython<Outcome[]>(PYTHON, cases);
  assert.is(expected.length, cases.length);
  let accepted = 0;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    const got = ours(c);
    if (got.ok) accepted++;
    assert.equal(got, expected[i], `case ${i} ${c.inbound ? 'inbound' : 'outbound'} flags=${c.flags} split=${c.split} ${JSON.stringify(c.headers)}`);
  }
  // The generator must reach both outcomes often enough for the comparison to mean something.
  assert.ok(accepted > 600 && accepted < cases.length - 600, `accepted ${accepted} of ${cases.length}`);
});

Oracle.run();
