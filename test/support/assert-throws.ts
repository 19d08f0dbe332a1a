/**
 * Assertions about thrown errors shared by the hpack and frame tests: what was thrown, its exact class,
 * its HTTP/2 error code, and "throws nothing but" for fuzzing. Test support only.
 */
import * as assert from 'uvu/assert';

/** An error class, abstract or not. */
export type ErrorClass<T extends Error = Error> = abstract new (...args: never[]) => T;

/** Runs `fn` and returns what it threw; fails the test when it returned normally. */
export function errorOf(fn: () => unknown): Error & { errorCode?: number } {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  assert.unreachable('expected an error');
  throw new Error('unreachable');
}

/** Asserts that `fn` throws an instance of `cls` (subclasses too) and, if given, carries `errorCode === code`. */
export function throwsWith<T extends Error>(fn: () => unknown, cls: ErrorClass<T>, code?: number): T {
  const err = errorOf(fn);
  if (!(err instanceof cls)) assert.unreachable(`${String(err)} is not a ${cls.name}`);
  if (code !== undefined) assert.is((err as { errorCode?: number }).errorCode, code, `${String(err)}: error code`);
  return err as T;
}

/** Asserts that `fn` throws an instance of exactly `cls`, not of a subclass. */
export function throwsExactly<T extends Error>(fn: () => unknown, cls: ErrorClass<T>): T {
  const err = errorOf(fn);
  assert.is(err.constructor, cls, `threw ${err.constructor.name}: ${err.message}`);
  return err as T;
}

/**
 * Runs `fn`; if it throws, the error must be an instance of `cls` (`what` names the input on failure).
 * Returns the error, or undefined when `fn` returned.
 */
export function throwsNothingBut<T extends Error>(fn: () => unknown, cls: ErrorClass<T>, what: string): T | undefined {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof cls)) assert.unreachable(`${what}: ${String(err)}`);
    return err as T;
  }
  return undefined;
}
