// The reference half of `npm run bench:login`: the raw argon2id rate on this machine, measured the
// way a sign-in uses it — `verify` of the right password against a stored hash — with the same
// library (@node-rs/argon2) and parameters as the server, and as many verifications in flight as
// the server's hasher allows (one per core). Run as its own process by bench/login.ts; reads its
// settings from one JSON argument and prints one JSON line with the result.
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { machineBusyMs } from './machine.ts';

export interface ReferenceSettings {
  memoryCostKiB: number;
  timeCost: number;
  parallelism: number;
  concurrency: number;
  warmupSeconds: number;
  durationSeconds: number;
}

export interface ReferenceResult {
  verifies: number;
  seconds: number;
  perSecond: number;
  /** CPU time of this process (all threads) in the measured window, per verification. */
  cpuMsPerVerify: number;
  /** CPU time other processes used in the window, in cores (null when the OS does not say). */
  otherCores: number | null;
}

// The package declares its enum `const`, which type stripping cannot inline; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '') as ReferenceSettings;
  const password = 'Quartz-Lantern-Orchard-5821';
  const stored = await hash(password, {
    algorithm: ARGON2ID,
    memoryCost: settings.memoryCostKiB,
    timeCost: settings.timeCost,
    parallelism: settings.parallelism,
  });

  let counting = false;
  let running = true;
  let verifies = 0;
  const worker = async () => {
    while (running) {
      if (!(await verify(stored, password))) throw new Error('reference verification failed');
      if (counting && running) verifies += 1;
    }
  };
  const workers = Array.from({ length: settings.concurrency }, worker);

  await new Promise((resolve) => setTimeout(resolve, settings.warmupSeconds * 1000));
  counting = true;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const busyStart = machineBusyMs();
  await new Promise((resolve) => setTimeout(resolve, settings.durationSeconds * 1000));
  running = false;
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const busyEnd = machineBusyMs();
  await Promise.all(workers); // let the verifications in flight finish (uncounted) before we exit

  const cpuMs = (cpu.user + cpu.system) / 1000;
  const result: ReferenceResult = {
    verifies,
    seconds,
    perSecond: verifies / seconds,
    cpuMsPerVerify: cpuMs / verifies,
    otherCores: busyStart === null || busyEnd === null ? null : Math.max(0, busyEnd - busyStart - cpuMs) / (seconds * 1000),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
