/**
 * What every runtime's client does once it can connect: `connectSession()` wraps the connected pair in a
 * client session (through a tap if asked), and `connect()` checks the URL before connecting, turns push off
 * unless asked for, and hands the session to an `H2Client`. Layer: transport (no runtime API here).
 */
import { H2Session, type H2SessionOptions } from '../streams/session.ts';
import type { H2Stream } from '../streams/stream.ts';
import type { H2Transport, StreamConstructors } from '../streams/types.ts';
import { H2Client } from '../fetch/fetch-client.ts';
import { checkBaseUrl } from '../fetch/client-request.ts';
import { tapTransport, type TapObserver } from './tap.ts';

/** The options of a runtime's `connectSession()` this module reads. */
interface ClientSessionOptions {
  readonly session?: Omit<H2SessionOptions, 'role' | 'upgrade'>;
  readonly tap?: TapObserver;
}

/**
 * A client session over a connected `pair`, seen by `options.tap` if given. Its `closed` is observed here:
 * a failed connection reaches the application through its requests, never as an unhandled rejection.
 */
export function clientSession(pair: H2Transport, options: ClientSessionOptions, upgrade?: H2SessionOptions['upgrade']): H2Session {
  const tapped = options.tap === undefined ? pair : tapTransport(pair, options.tap, options.session?.streams as StreamConstructors | undefined);
  const session = new H2Session(tapped, { ...options.session, role: 'client', ...(upgrade !== undefined ? { upgrade } : {}) });
  session.closed.catch(() => undefined);
  return session;
}

/**
 * `connect(url).fetch()` over a runtime's `connectSession`: the URL is checked before connecting (a refused
 * URL leaves no connection behind), and server push is off unless `session.settings.enablePush` asks for it.
 */
export function fetchClient<O extends ClientSessionOptions & { readonly onPush?: (stream: H2Stream) => void }>(
  url: string | URL,
  options: O,
  connectSession: (url: URL, options: O) => Promise<H2Session>,
): H2Client {
  const base = checkBaseUrl(new URL(url));
  // RFC 9113 §6.5.2: SETTINGS_ENABLE_PUSH 0 "indicates that the endpoint will not accept server push".
  const settings = { enablePush: false, ...options.session?.settings };
  const session = connectSession(base, { ...options, session: { ...options.session, settings } });
  return new H2Client(session, { baseUrl: base, ...(options.onPush !== undefined ? { onPush: options.onPush } : {}) });
}
