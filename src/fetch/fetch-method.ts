/**
 * What the Fetch standard does to a request method: a `Request` uppercases six methods given in any case
 * ("normalize a method") and refuses three ("forbidden method"). Shared by the fetch server (which must
 * not show a handler another method than the one sent) and client (which sends what fetch would).
 * Layer: fetch (runtime-neutral).
 */

/** Methods fetch uppercases when given in any case. */
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
/**
 * Methods fetch refuses, in any case: CONNECT has no `:scheme`/`:path` (RFC 9113 §8.5), TRACE/TRACK
 * echo the request back, credentials included (cross-site tracing).
 */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/**
 * The method a fetch `Request` carries for the token `method`, or null if fetch refuses it. Methods are
 * case-sensitive (RFC 9110 §9.1) except for this normalization: `get` becomes `GET`, `patch` stays.
 */
export function fetchMethod(method: string): string | null {
  if (NORMALIZED_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  if (FORBIDDEN_METHODS.has(upper)) return null;
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}
