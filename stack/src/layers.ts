import type { Component } from './component.js';
import { connect } from './components/connect.js';
import { connectInit } from './components/connect-init.js';
import { flyway } from './components/flyway.js';
import { kafka } from './components/kafka.js';
import { postgres } from './components/postgres.js';
import { registry } from './components/registry.js';
import { seeder } from './components/seeder.js';

/**
 * Layers in start order; each is a list of stages, and the components of a stage start in
 * parallel (they do not need each other).
 */
export const layers: Record<string, Component[][]> = {
  source: [[postgres], [flyway], [seeder]],
  streaming: [[kafka, registry], [connect], [connectInit]],
};

export const allComponents = (): Component[] => Object.values(layers).flat(2);
