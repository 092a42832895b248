// A background job every `intervalMs`: a run that is still going when the next is due is not
// started twice, a failure is reported and the next run tries again, and the timer never keeps the
// process alive. Returns the function that stops it.
export function runPeriodically(work: () => Promise<unknown>, intervalMs: number, onError: (error: unknown) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    work()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
