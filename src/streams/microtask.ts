/**
 * Microtasks for objects without a closure of their own: `queueTask(target, kind)` runs
 * `target.runMicrotask(kind)` exactly where `queueMicrotask(() => target.x())` would have (the job
 * queue is FIFO, and each call queues one shared function that takes the oldest entry). A per-instance
 * arrow function kept for `queueMicrotask` costs ~100 B per session with its context, for the
 * session's whole life. Layer: streams (runtime-neutral).
 */

/** Something that runs a task of its own in a microtask (`kind` says which). */
export interface MicrotaskTarget {
  runMicrotask(kind: number): void;
}

/** Targets and kinds, interleaved, from `head` to `tail`: one pair per microtask queued and not yet run. */
let queued: Array<MicrotaskTarget | number | null> = [];
let head = 0;
let tail = 0;
/** A burst's long array is not kept for good. */
const MAX_KEPT = 1024;

function runNext(): void {
  const i = head;
  const target = queued[i] as MicrotaskTarget;
  const kind = queued[i + 1] as number;
  queued[i] = null;
  head = i + 2;
  if (head === tail) {
    // Every queued task has run: start over. The array keeps its length (emptied, V8 would free its
    // store and allocate a new one with the next task) unless a burst grew it.
    head = 0;
    tail = 0;
    if (queued.length > MAX_KEPT) queued = [];
  }
  // Taken off before it runs: a task that throws leaves the queue in step with the job queue.
  target.runMicrotask(kind);
}

/** Runs `target.runMicrotask(kind)` in a microtask, in the order of the calls. */
export function queueTask(target: MicrotaskTarget, kind: number): void {
  if (tail < queued.length) {
    queued[tail] = target;
    queued[tail + 1] = kind;
  } else {
    queued.push(target, kind);
  }
  tail += 2;
  queueMicrotask(runNext);
}
