/** The runtime fixture (fixture.ts) over h2flow/deno. */
import * as deno from '../../src/transport/deno';
import { runFixture } from './fixture';

await runFixture('deno', deno);
