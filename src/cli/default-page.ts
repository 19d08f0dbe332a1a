/**
 * The built-in page `h2flow serve` answers at `/` when it is given no directory: what the server is and
 * how to talk to it, with a form that streams text through `/echo`. Layer: CLI.
 */

/**
 * The HTML of the built-in page; `origin` is the server's own URL (e.g. `http://127.0.0.1:8080`) and
 * `protocol` the one this request came over.
 */
export function defaultPage(origin: string, protocol: 'h2' | 'http/1.1' = 'h2'): string {
  const o = origin.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const tls = origin.startsWith('https:');
  const curl = tls ? `curl -k --http2 ${o}/` : `curl --http2-prior-knowledge ${o}/`;
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>h2flow</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
  code, pre, textarea { font: 14px ui-monospace, monospace; }
  pre { background: #f4f4f4; padding: .75rem 1rem; overflow-x: auto; }
  textarea { width: 100%; box-sizing: border-box; }
</style>
<h1>h2flow</h1>
<p id="protocol">This page came over <strong>${protocol === 'h2' ? 'HTTP/2' : 'HTTP/1.1'}</strong>${
    protocol === 'h2'
      ? tls
        ? ' (TLS, ALPN <code>h2</code>)'
        : ' (cleartext h2c)'
      : tls
        ? ' (TLS, ALPN <code>http/1.1</code>)'
        : ': browsers speak HTTP/2 only over TLS, so on a cleartext port they get HTTP/1.1 from the same server (serve with <code>--cert</code> and <code>--key</code> to see HTTP/2 here)'
  } from
<code>h2flow serve</code>: a TypeScript HTTP/2 stack — a sans-I/O protocol core, Web Streams sessions, and this Node transport.</p>
<h2>Talk to it</h2>
<pre>${curl}
nghttp -v ${o}/
h2load -n 10000 -c 4 -m 32 ${o}/
h2flow get -v ${o}/
curl ${tls ? '-k --http2' : '--http2-prior-knowledge'} --data-binary @file ${o}/echo</pre>
<h2>Echo</h2>
<p><code>POST /echo</code> streams the request body straight back.</p>
<textarea id="text" rows="4">hello, HTTP/2</textarea>
<p><button id="send">Send to /echo</button></p>
<pre id="out"></pre>
<script>
  document.getElementById('send').onclick = async () => {
    const res = await fetch('/echo', { method: 'POST', body: document.getElementById('text').value });
    document.getElementById('out').textContent = await res.text();
  };
</script>
</html>
`;
}
