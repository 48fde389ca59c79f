import type { Component } from './component.js';
import { connect } from './components/connect.js';
import { connectInit } from './components/connect-init.js';
import { flyway } from './components/flyway.js';
import { kafka } from './components/kafka.js';
import { lakehouseInit } from './components/lakehouse.js';
import { postgres } from './components/postgres.js';
import { registry } from './components/registry.js';
import { seeder } from './components/seeder.js';
import { view } from './components/view.js';

/**
 * Layers in start order; each is a list of stages, and the components of a stage start in
 * parallel (they do not need each other).
 */
export const layers: Record<string, Component[][]> = {
  source: [[postgres], [flyway], [seeder]],
  // The view needs nothing to start (it shows what is down); last, so it is not in the way.
  streaming: [[kafka, registry], [connect], [connectInit, view]],
  // Runs in the streaming layer's Connect: a task that creates the catalog and registers the sink.
  lakehouse: [[lakehouseInit]],
};

export const allComponents = (): Component[] => Object.values(layers).flat(2);
