/**
 * Turns of the event loop inside long synchronous work: node runs a signal's handler (bin.ts) only when the
 * loop polls, never in the middle of JavaScript that does not return to it.
 */

/**
 * Lets the event loop run: a pending SIGINT, SIGTERM or SIGHUP is handled before this resolves. Two immediates: one
 * set while the loop polls runs before the loop polls again, the second after it (where node reads the signal).
 */
export function yieldToSignals(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/**
 * `yieldToSignals` at most once every `everyMs` milliseconds, however often it is called: cheap enough to call
 * between any two steps of a long computation (a clock read, and a turn only when one is due). The first call
 * takes a turn.
 */
export function signalTurns(everyMs: number): () => Promise<void> | undefined {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    if (performance.now() - last < everyMs) return undefined;
    return yieldToSignals().then(() => {
      last = performance.now();
    });
  };
}
