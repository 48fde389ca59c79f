import type { Component } from './component.js';
import { flyway } from './components/flyway.js';
import { postgres } from './components/postgres.js';
import { seeder } from './components/seeder.js';

/** Layers in start order; each is its components in start order. */
export const layers: Record<string, Component[]> = {
  source: [postgres, flyway, seeder],
};

export const allComponents = (): Component[] => Object.values(layers).flat();
