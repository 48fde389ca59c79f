import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_VARIABLE, chooseBackend, testcontainersProbe } from '../support/backend.js';

const answers = () => Promise.resolve('client');
const absent = () => Promise.reject(new Error('Could not find a working container runtime strategy'));
const hangs = () => new Promise<never>(() => undefined);

describe('test backend selection', () => {
  it('takes docker when a runtime answers and nothing is forced', async () => {
    expect(await chooseBackend({}, answers)).toEqual({ name: 'docker', reason: 'a container runtime answers' });
  });

  it('falls back to local, saying why, when no runtime answers', async () => {
    const choice = await chooseBackend({}, absent);
    expect(choice.name).toBe('local');
    expect(choice.reason).toMatch(/no container runtime answers: Could not find a working container runtime/);
  });

  it('counts a runtime that does not answer in time as absent', async () => {
    const started = Date.now();
    const choice = await chooseBackend({}, hangs, 100);
    expect(choice).toEqual({ name: 'local', reason: 'no container runtime answers: no answer within 100 ms' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('honours a forced local without asking for a runtime', async () => {
    let asked = false;
    const choice = await chooseBackend({ [BACKEND_VARIABLE]: 'local' }, () => {
      asked = true;
      return answers();
    });
    expect(choice.name).toBe('local');
    expect(asked).toBe(false);
  });

  it('honours a forced docker when a runtime answers', async () => {
    expect((await chooseBackend({ [BACKEND_VARIABLE]: 'docker' }, answers)).name).toBe('docker');
  });

  it('fails at once, with what to do, when docker is forced and no runtime answers', async () => {
    await expect(chooseBackend({ [BACKEND_VARIABLE]: 'docker' }, absent)).rejects.toThrow(
      /STOREFRONT_TEST_BACKEND=docker, but no container runtime answers \(.*\)\. Start Docker .* STOREFRONT_TEST_BACKEND=local npm test/,
    );
  });

  it('rejects an unknown backend name', async () => {
    await expect(chooseBackend({ [BACKEND_VARIABLE]: 'podman' }, answers)).rejects.toThrow(
      /STOREFRONT_TEST_BACKEND=podman is not a test backend; use one of: local, docker/,
    );
  });
});

describe('test backend selection against testcontainers itself', () => {
  const saved = process.env.DOCKER_HOST;
  afterEach(() => {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  });

  it('falls back to local within a second when DOCKER_HOST points nowhere', async () => {
    await import('testcontainers'); // loading the module is not part of the probe
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    const started = Date.now();
    const choice = await chooseBackend({ DOCKER_HOST: 'tcp://127.0.0.1:1' }, testcontainersProbe);
    const elapsed = Date.now() - started;
    expect(choice.name).toBe('local');
    expect(elapsed).toBeLessThan(1_000);
  });
});
