/** The prerequisite checks `doctor` prints and `up` runs first: each finds what is missing and says what to install. */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStackConfig } from '../../src/config.js';
import {
  blocking,
  checkDisk,
  checkFolderAccess,
  checkLines,
  checkNode,
  checkPorts,
  checkPsql,
  checkPython,
  nodeSupported,
} from '../../src/doctor.js';

describe('doctor', () => {
  it("accepts the Node.js versions package.json's engines name, and no other", () => {
    for (const v of ['v20.19.0', 'v20.20.2', 'v22.13.0', 'v24.0.0', 'v25.1.0']) expect(nodeSupported(v), v).toBe(true);
    for (const v of ['v18.20.0', 'v20.18.1', 'v21.7.0', 'v22.12.0', 'v23.9.0']) expect(nodeSupported(v), v).toBe(false);
    const old = checkNode('v18.20.0');
    expect(old.ok).toBe(false);
    expect(checkLines([old])[0]).toMatch(/^MISSING Node\.js: v18\.20\.0 .*\n\s+→ install Node\.js 24/);
  });

  it('finds no Python or psql on an empty PATH, says what to install, and does not stop up for them', () => {
    const env = { ...process.env, PATH: '/nonexistent' };
    const python = checkPython(env);
    const psql = checkPsql(env);
    expect(python).toMatchObject({ ok: false, detail: 'no python3 on the PATH', neededBy: 'lakehouse' });
    expect(python.fix).toContain('python3-venv');
    expect(psql).toMatchObject({ ok: false, neededBy: 'lakehouse' });
    expect(psql.fix).toContain('postgresql-client');
    expect(blocking([python, psql])).toEqual([]);
    expect(checkLines([python])[0]).toMatch(/^warn/);
  });

  it('names a port another process holds, and stops up', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const home = mkdtempSync(path.join(os.tmpdir(), 'doctor-'));
      const cfg = loadStackConfig({ STACK_HOME: home, SEEDER_PORT: String(port) });
      const check = await checkPorts(cfg, ['source']);
      expect(check.ok).toBe(false);
      expect(check.detail).toContain(`SEEDER_PORT=${port}`);
      expect(blocking([check])).toEqual([check]);
      rmSync(home, { recursive: true, force: true });
    } finally {
      server.close();
    }
  });

  it('wants more free disk before a first run than after it', () => {
    const cfg = loadStackConfig({});
    const first = checkDisk(cfg, true);
    expect(first.detail).toMatch(/GiB free at .*; needs 3\.0 GiB for the first run's downloads/);
    expect(checkDisk(cfg, false).detail).toMatch(/needs 1\.0 GiB$/);
  });

  it("as root, finds a folder PostgreSQL's system user cannot enter (a mktemp -d clone)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'clone-'));
    try {
      chmodSync(dir, 0o700);
      const closed = checkFolderAccess(path.join(dir), 0);
      expect(closed.ok).toBe(false);
      expect(closed.detail).toContain(dir);
      expect(closed.fix).toContain(`chmod o+x ${dir}`);
      chmodSync(dir, 0o755);
      expect(checkFolderAccess(dir, 0).ok).toBe(os.tmpdir() === '/tmp');
      expect(checkFolderAccess(dir, 1000).ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
