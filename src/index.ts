/**
 * h2flow: HTTP/2 for every JavaScript runtime. The runtime-neutral entry: the sans-I/O protocol core
 * (`H2Connection`, a port of Python's h2), Web Streams sessions (`H2Session`) and the fetch-style
 * adapters over them. On Node, `h2flow` also exports `serve`, `connect` and `listen` (see index-node.ts).
 */
export * from './core/index';
export * from './streams/index';
// Both layers have an `H2Stream`: the root exports the streams layer's (what users hold); the core's
// per-stream state machine stays available as `H2Stream` from `h2flow/core`.
export { H2Stream } from './streams/index';
export { H2Stream as CoreStream } from './core/index';
export * from './fetch/index';
