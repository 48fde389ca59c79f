/** The full load's render-ahead: which chunks are rendering while one is written. */
import { describe, expect, it } from 'vitest';
import { chunksOf, type Rendered } from '../../../src/loads/entities.js';
import { renderAhead } from '../../../src/loads/load.js';
import type { RenderTask } from '../../../src/loads/render-worker.js';
import { testPlan } from '../../support/plan.js';

const plan = testPlan(3, { customers: 20_000, products: 3_000, orders: 50_000 });
const tasks: RenderTask[] = chunksOf(plan).map((chunk) => ({ plan, chunk }));

describe('renderAhead', () => {
  it.each([1, 2])('keeps threads + 1 chunks rendering while one is written (%i threads)', async (threads) => {
    const asked: RenderTask[] = [];
    const renderers = {
      threads,
      run: (task: RenderTask): Promise<Rendered> => {
        asked.push(task);
        return Promise.resolve({});
      },
    };
    const written: RenderTask[] = [];
    await renderAhead(tasks, renderers, async (task) => {
      // Everything up to this chunk, and the threads + 1 after it, has been handed to the threads.
      expect(asked.length).toBe(Math.min(tasks.length, written.length + 1 + threads + 1));
      written.push(task);
    });
    expect(written).toEqual(tasks);
    expect(asked).toEqual(tasks);
  });
});
