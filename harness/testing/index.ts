/// <reference path="./matchers.d.ts" />
import { expect } from 'vitest';
import { toAgreeWithTshark } from './to-agree-with-tshark.ts';
import { toBeBalanced } from './to-be-balanced.ts';
import { toBeInSubnet } from './to-be-in-subnet.ts';
import { toContainVxlan } from './to-contain-vxlan.ts';
import { toFail } from './to-fail.ts';
import { toOnlyHit } from './to-only-hit.ts';
import { toReach } from './to-reach.ts';

expect.extend({ toReach, toBeInSubnet, toContainVxlan, toAgreeWithTshark, toBeBalanced, toOnlyHit, toFail });

export { expect, describe } from 'vitest';
export { test, simTest, resolveTopology, DEFAULT_TOPOLOGY_FILE, type SimFixtures, type TopologyInput } from './fixture.ts';
export type { ReachOptions } from './to-reach.ts';
export type { VxlanLevel, VxlanMatch } from './to-contain-vxlan.ts';
export type { BalancedOptions } from './to-be-balanced.ts';
export type { FailOptions } from './to-fail.ts';
