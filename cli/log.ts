// Start-up and operator messages: one line each, to stderr, timestamped.
// A terminal or pipe that went away (EPIPE) must not become an uncaught exception
// whose own log line fails again: writes to a closed stream are dropped.
for (const s of [process.stdout, process.stderr]) s.on('error', () => {});
export const log = (msg: string) => {
  if (!process.stderr.writable) return;
  process.stderr.write(`${new Date().toISOString()} wl: ${msg}\n`);
};
