/** Chooses the end-to-end tests' backend once per run, says which, and hands it to the tests. */
import type { TestProject } from 'vitest/node';
import { chooseBackend, describeChoice } from './backend.js';

export default async function setup(project: TestProject) {
  const choice = await chooseBackend();
  console.log(describeChoice('e2e', choice));
  project.provide('backend', choice.name);
}
