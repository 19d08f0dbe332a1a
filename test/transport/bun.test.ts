/** h2flow/bun in Bun (the npm `bun` package's binary): see test/support/runtime-suite.ts. */
import { defineRuntimeSuite } from '../support/runtime-suite';

defineRuntimeSuite('bun').run();
