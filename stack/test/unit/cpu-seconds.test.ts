import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cpuSeconds } from '../../src/processes.js';

describe('cpuSeconds', () => {
  it.runIf(process.platform === 'linux')(
    'keeps the time of a child that has exited (as a backend of the postmaster does)',
    async () => {
      // A shell whose child burns CPU, exits and is reaped; then the shell says so and waits.
      const script = 'sh -c "i=0; while [ \\$i -lt 300000 ]; do i=\\$((i+1)); done"; echo reaped; sleep 30';
      const parent = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
      try {
        await once(parent.stdout, 'data');
        // Only the shell and its sleep are left: the child's time is in the shell's cutime/cstime.
        expect(cpuSeconds(parent.pid!)!).toBeGreaterThan(0.1);
      } finally {
        parent.kill();
      }
    },
    30_000,
  );
});
