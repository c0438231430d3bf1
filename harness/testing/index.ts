/// <reference path="./matchers.d.ts" />
import { expect } from 'vitest';
import { toBeInSubnet } from './to-be-in-subnet.ts';
import { toReach } from './to-reach.ts';

expect.extend({ toReach, toBeInSubnet });

export { expect, describe } from 'vitest';
export { test, simTest, resolveTopology, DEFAULT_TOPOLOGY_FILE, type SimFixtures, type TopologyInput } from './fixture.ts';
export type { ReachOptions } from './to-reach.ts';
