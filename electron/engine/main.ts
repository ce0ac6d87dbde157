import type { EngineJob, EngineToHost, HostToEngine } from '../../shared/engine-protocol.js';
import { assertNever } from '../../shared/engine-protocol.js';
import { toLabError } from '../../shared/result.js';
import { releaseBackend, selectBackend } from './backend/select.js';
import { analyze } from './jobs/analyze.js';
import { gpuCheck } from './jobs/gpu-check.js';
import { preview } from './jobs/preview.js';
import { connectToHost } from './port.js';
import { runBench } from './bench/bench.js';
import { runEvaluation } from './eval/evaluate-run.js';
import { runTraining } from './train/trainer.js';

// The engine process: one job, then exit. Training never runs in the host or the UI.
const port = connectToHost();
let cancelled = false;
let busy = false;

port.onHostGone(() => process.exit(2));
// Ctrl-C in a terminal reaches the whole process group: the host decides (it asks for a
// checkpoint), so the engine ignores it. SIGTERM is a cooperative cancel.
process.on('SIGINT', () => undefined);
const onStopSignal = (): void => {
  cancelled = true;
  if (!busy) process.exit(0);
};
process.on('SIGTERM', onStopSignal);
// USR1 is Slurm's warning before a time limit (scancel --signal=USR1 to a whole task): a cooperative
// cancel too, where Node would otherwise open its debugger.
process.on('SIGUSR1', onStopSignal);
port.onMessage((message: HostToEngine) => {
  switch (message.type) {
    case 'cancel':
      cancelled = true;
      if (!busy) process.exit(0);
      return;
    case 'job':
      if (busy) {
        port.send({ type: 'error', error: { code: 'busy', message: 'this engine already runs a job' } });
        return;
      }
      busy = true;
      void run(message.job, message.backend);
      return;
    default:
      assertNever(message);
  }
});

async function execute(job: EngineJob): Promise<unknown> {
  const io = { emit: (m: EngineToHost) => port.send(m), cancelled: () => cancelled };
  switch (job.type) {
    case 'info':
      return null;
    case 'train':
      return runTraining(job, io);
    case 'evaluate':
      return runEvaluation(job, io);
    case 'analyze':
      return analyze(job);
    case 'preview':
      return preview(job);
    case 'bench':
      return runBench(job, io);
    case 'gpu-check':
      return gpuCheck(io);
    default:
      return assertNever(job);
  }
}

async function run(job: EngineJob, backend: Parameters<typeof selectBackend>[0]): Promise<void> {
  let code = 0;
  try {
    port.send({ type: 'ready', info: await selectBackend(backend) });
    const value = await execute(job);
    if (!cancelled) port.send({ type: 'result', value: value ?? null });
  } catch (e) {
    code = 1;
    port.send({ type: 'error', error: toLabError(e) });
  }
  releaseBackend();
  await port.flush();
  process.exit(code);
}
