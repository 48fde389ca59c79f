/**
 * Renders one chunk of a full load as COPY text. Runs in a worker thread (piscina), so the next
 * chunks are generated on the other core while PostgreSQL ingests the current one. The
 * generators are pure functions of (plan, entity, index): a chunk renders the same wherever it
 * runs and whatever the chunking, so the data stays deterministic.
 */
import type { LoadPlan } from '../domain/plan.js';
import { renderChunk, type Chunk, type Rendered } from './entities.js';

export interface RenderTask {
  plan: LoadPlan;
  chunk: Chunk;
}

export default function render({ plan, chunk }: RenderTask): Rendered {
  return renderChunk(plan, chunk);
}
