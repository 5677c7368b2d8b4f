/**
 * Ctrl-C and SIGTERM for anything that holds a deployment (a run session, `npm run up` in the foreground): each
 * signal goes to `onSignal` with how many have come so far, so the holder can stop gracefully on the first and at
 * once on the second. Returns the function that stops listening; call it on every way out.
 */
export function onInterrupt(onSignal: (signal: NodeJS.Signals, count: number) => void): () => void {
  let count = 0;
  const listener = (signal: NodeJS.Signals): void => {
    count++;
    if (count > 1) process.exitCode = 130;
    onSignal(signal, count);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}
