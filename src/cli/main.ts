/**
 * The `h2flow` command: dispatches its first argument to a subcommand.
 * CLI layer (Node), the binary's entry point (esbuild builds it to dist/cli.mjs). Add a subcommand by
 * adding a row to COMMANDS.
 */
import { runGet } from './get.ts';
import { runHpack, type CliIo } from './hpack.ts';
import { runServe } from './serve.ts';

/** A subcommand: one help line and a runner resolving to the exit status. */
interface Command {
  summary: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** Every subcommand, by name. */
const COMMANDS: Record<string, Command> = {
  hpack: { summary: 'decode or encode HPACK header blocks (hpack-test-case story files)', run: runHpack },
  serve: { summary: 'serve a directory (or a built-in page) and /echo over HTTP/2, h2c or TLS', run: runServe },
  get: { summary: 'fetch a URL over HTTP/2 like nghttp: -v frame log, -n/-c load summary', run: runGet },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: h2flow <command> [arguments]\n\nCommands:\n${rows.join('\n')}\n\nRun 'h2flow <command> --help' for a command's options.\n`;
}

async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(usage());
    return name === undefined ? 1 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.stderr.write(`h2flow: unknown command ${name}\n\n${usage()}`);
    return 1;
  }
  return command.run(rest, io);
}

process.exitCode = await main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
