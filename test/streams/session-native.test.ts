/** The streams-layer suite with the runtime's native Web Streams (the session's default). */
import { globalStreams } from '../../src/streams';
import { defineSessionSuite } from '../support/session-suite';

defineSessionSuite('native', globalStreams()).run();
