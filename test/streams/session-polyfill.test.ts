/** The streams-layer suite with web-streams-polyfill's classes injected through `streams`. */
import { ReadableStream, WritableStream } from 'web-streams-polyfill';
import type { StreamConstructors } from '../../src/streams';
import { defineSessionSuite } from '../support/session-suite';

defineSessionSuite('web-streams-polyfill', { ReadableStream, WritableStream } as unknown as StreamConstructors).run();
