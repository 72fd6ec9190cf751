// Start-up and operator messages: one line each, to stderr, timestamped.
export const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} wl: ${msg}\n`);
