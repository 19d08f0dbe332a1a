/** h2flow/deno in Deno (the npm `deno` package's binary): see test/support/runtime-suite.ts. */
import { defineRuntimeSuite } from '../support/runtime-suite';

defineRuntimeSuite('deno').run();
