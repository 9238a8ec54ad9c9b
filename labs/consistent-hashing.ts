/**
 * Lab: consistent hashing. Seeded keys are placed on N nodes by `hash(key) mod N` and on a consistent-hash
 * ring (MD5 from node:crypto, first 4 bytes, virtual nodes). A node is added, then one removed: every key's
 * owner is looked up before and after, and the moves are counted. Then the load per node is measured for
 * 1, 10, 100 and 200 virtual nodes per node.
 */
import { createHash } from 'node:crypto';
import type { LabContext, LabObservations } from '../src/labs/types.js';

/** The first 4 bytes of the key's MD5 as an unsigned 32-bit integer: a position on the ring 0..2^32-1. */
function hash32(text: string): number {
  return createHash('md5').update(text).digest().readUInt32BE(0);
}

interface Ring {
  readonly points: Uint32Array;
  /** owners[i] is the node that owns points[i]. */
  readonly owners: readonly string[];
}

/** Each node is hashed onto the ring `vnodes` times, as "<node>#<i>". */
function buildRing(nodes: readonly string[], vnodes: number): Ring {
  const all = nodes.flatMap((node) => Array.from({ length: vnodes }, (_, i) => ({ at: hash32(`${node}#${i}`), node })));
  all.sort((a, b) => a.at - b.at || (a.node < b.node ? -1 : 1));
  return { points: Uint32Array.from(all.map((p) => p.at)), owners: all.map((p) => p.node) };
}

/** The first point clockwise at or after the key's position, wrapping round to the first point. */
function ringOwner(ring: Ring, h: number): string {
  const { points } = ring;
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]! < h) lo = mid + 1;
    else hi = mid;
  }
  return ring.owners[lo === points.length ? 0 : lo]!;
}

const modOwner = (nodes: readonly string[], h: number): string => nodes[h % nodes.length]!;

interface Moves {
  readonly moved: number;
  readonly fraction: number;
  /** Moves that went to the added node (add), or that came from the removed node (remove). */
  readonly expected: number;
  /** Moves between two nodes that were there before and after: pure churn. */
  readonly churn: number;
  /** How many different nodes received moved keys. */
  readonly destinations: number;
}

function countMoves(before: readonly string[], after: readonly string[], changed: string): Moves {
  let moved = 0;
  let expected = 0;
  const dest = new Set<string>();
  for (let i = 0; i < before.length; i++) {
    if (before[i] === after[i]) continue;
    moved++;
    dest.add(after[i]!);
    if (after[i] === changed || before[i] === changed) expected++;
  }
  return { moved, fraction: moved / before.length, expected, churn: moved - expected, destinations: dest.size };
}

interface Balance {
  readonly vnodes: number;
  readonly points: number;
  readonly maxOverMean: number;
  readonly minOverMean: number;
  readonly stddevPct: number;
  readonly movedOnAddPct: number;
}

function loadStats(owners: readonly string[], nodes: readonly string[]) {
  const counts = new Map(nodes.map((n) => [n, 0]));
  for (const o of owners) counts.set(o, (counts.get(o) ?? 0) + 1);
  const values = [...counts.values()];
  const mean = owners.length / nodes.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { counts, max: Math.max(...values), min: Math.min(...values), mean, sd };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const keyCount = ctx.params.keys ?? 10_000;
  const n = ctx.params.nodes ?? 4;
  const vnodes = ctx.params.vnodes ?? 100;

  // Seeded, distinct keys: user ids as a cache or a shard router would see them.
  const seen = new Set<string>();
  while (seen.size < keyCount) seen.add(`user:${Math.floor(ctx.rng() * 1e9)}`);
  const keys = [...seen];
  const hashes = keys.map(hash32);
  const nodes = Array.from({ length: n }, (_, i) => `node-${i + 1}`);
  const added = `node-${n + 1}`;
  const grown = [...nodes, added];
  const removed = nodes[Math.min(1, n - 1)]!;
  const shrunk = nodes.filter((x) => x !== removed);

  out.say(
    `${keyCount.toLocaleString('en-US')} seeded keys placed on ${n} nodes in two ways: hash(key) mod N, and a consistent-hash ring with ${vnodes} virtual nodes per node. The hash is MD5 (node:crypto), first 4 bytes as an unsigned 32-bit number. Then a node is added and one removed, and every key is looked up again.`,
  );
  const modExpected = n / (n + 1);
  const choices = [`about ${pct(1 / (n + 1))}: only the new node's share`, 'about 50%', `about ${pct(modExpected)}: almost all of them`];
  const guess = ctx.prompts ? await ctx.prompts.predictChoice(`going from ${n} to ${n + 1} nodes with hash mod N, what share of keys moves?`, choices) : undefined;

  out.heading('How each scheme picks a node');
  out.code(
    [
      'const h = md5(key).readUInt32BE(0);          // 0 .. 2^32-1',
      '// mod N: the node list index',
      'owner = nodes[h % nodes.length];',
      '// ring: each node hashed at V points ("node-1#0".."node-1#V-1");',
      '// a key belongs to the first point clockwise from h (binary search)',
      'owner = ring.owners[firstPointAtOrAfter(h) ?? 0];',
    ].join('\n'),
  );
  const ringBefore = buildRing(nodes, vnodes);
  const ringGrown = buildRing(grown, vnodes);
  const ringShrunk = buildRing(shrunk, vnodes);
  const sample: (string | number)[][] = [['key', 'hash', `mod ${n}`, `mod ${n + 1}`, 'ring', `ring +1`]];
  for (let i = 0; i < 6; i++) {
    const h = hashes[i]!;
    sample.push([keys[i]!, h.toString(16).padStart(8, '0'), modOwner(nodes, h), modOwner(grown, h), ringOwner(ringBefore, h), ringOwner(ringGrown, h)]);
  }
  out.table(sample);

  const owners = {
    mod: hashes.map((h) => modOwner(nodes, h)),
    modGrown: hashes.map((h) => modOwner(grown, h)),
    modShrunk: hashes.map((h) => modOwner(shrunk, h)),
    ring: hashes.map((h) => ringOwner(ringBefore, h)),
    ringGrown: hashes.map((h) => ringOwner(ringGrown, h)),
    ringShrunk: hashes.map((h) => ringOwner(ringShrunk, h)),
  };

  out.heading(`Adding ${added}: ${n} → ${n + 1} nodes`);
  const addMod = countMoves(owners.mod, owners.modGrown, added);
  const addRing = countMoves(owners.ring, owners.ringGrown, added);
  out.table([
    ['scheme', 'keys moved', 'share', `to ${added}`, 'between old nodes'],
    ['hash mod N', addMod.moved, pct(addMod.fraction), addMod.expected, addMod.churn],
    [`ring, ${vnodes} vnodes`, addRing.moved, pct(addRing.fraction), addRing.expected, addRing.churn],
  ]);
  out.step(
    `mod N moved ${pct(addMod.fraction)} of the keys (N/(N+1) = ${pct(modExpected)})`,
    `A key stays only if h mod ${n} equals h mod ${n + 1}. ${addMod.churn.toLocaleString('en-US')} moves went between nodes that were already there: for a cache, each one is a miss; for shards, data copied for nothing.`,
    { scheme: 'mod', change: 'add', ...addMod },
  );
  out.step(
    `The ring moved ${pct(addRing.fraction)} (1/(N+1) = ${pct(1 / (n + 1))}), ${addRing.churn} between old nodes`,
    `Only keys on the arcs just before ${added}'s ${vnodes} new points change owner, and they all go to ${added}: the minimum that must move for it to get a share.`,
    { scheme: 'ring', change: 'add', ...addRing },
  );
  if (guess !== undefined) {
    const closest = [1 / (n + 1), 0.5, modExpected].map((x) => Math.abs(x - addMod.fraction));
    const right = closest.indexOf(Math.min(...closest));
    out.say(guess === right ? `You predicted it: ${pct(addMod.fraction)} moved.` : `Not quite: ${pct(addMod.fraction)} moved, closest to "${choices[right]!}".`);
  }

  out.heading(`Removing ${removed}: ${n} → ${n - 1} nodes`);
  const remMod = countMoves(owners.mod, owners.modShrunk, removed);
  const remRing = countMoves(owners.ring, owners.ringShrunk, removed);
  out.table([
    ['scheme', 'keys moved', 'share', `from ${removed}`, 'between others'],
    ['hash mod N', remMod.moved, pct(remMod.fraction), remMod.expected, remMod.churn],
    [`ring, ${vnodes} vnodes`, remRing.moved, pct(remRing.fraction), remRing.expected, remRing.churn],
  ]);
  out.step(
    `mod N moved ${pct(remMod.fraction)}; the ring moved ${pct(remRing.fraction)}`,
    `With mod N, removing one node renumbers the list and shifts the modulus, so keys of nodes that stayed can move too (${remMod.churn.toLocaleString('en-US')} did). On the ring only ${removed}'s own keys move, to the next points clockwise: ${remRing.destinations} different node${remRing.destinations === 1 ? '' : 's'} took them.`,
    { scheme: 'both', change: 'remove', mod: { ...remMod }, ring: { ...remRing } },
  );

  out.heading('Load balance: keys per node against virtual nodes');
  out.say(`The same ${keyCount.toLocaleString('en-US')} keys on ${n} nodes; max/mean 1.00 is perfectly even. The last column is the share that moves when ${added} joins that ring.`);
  const balance: Balance[] = [];
  for (const v of [1, 10, 100, 200]) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const ring = v === vnodes ? ringBefore : buildRing(nodes, v);
    const grownRing = v === vnodes ? ringGrown : buildRing(grown, v);
    const o = v === vnodes ? owners.ring : hashes.map((h) => ringOwner(ring, h));
    const s = loadStats(o, nodes);
    const moved = countMoves(o, v === vnodes ? owners.ringGrown : hashes.map((h) => ringOwner(grownRing, h)), added);
    balance.push({ vnodes: v, points: ring.points.length, maxOverMean: r3(s.max / s.mean), minOverMean: r3(s.min / s.mean), stddevPct: r3((s.sd / s.mean) * 100), movedOnAddPct: r3(moved.fraction * 100) });
  }
  const modStats = loadStats(owners.mod, nodes);
  out.table([
    ['placement', 'points', 'max/mean', 'min/mean', 'stddev', 'moved on add'],
    ...balance.map((b) => [`ring, ${b.vnodes} vnode${b.vnodes === 1 ? '' : 's'}`, b.points, b.maxOverMean.toFixed(2), b.minOverMean.toFixed(2), `${b.stddevPct.toFixed(1)}%`, `${b.movedOnAddPct.toFixed(1)}%`]),
    ['hash mod N', '-', (modStats.max / modStats.mean).toFixed(2), (modStats.min / modStats.mean).toFixed(2), `${((modStats.sd / modStats.mean) * 100).toFixed(1)}%`, pct(addMod.fraction)],
  ]);
  out.bars(balance.map((b) => ({ label: `${b.vnodes} vnode${b.vnodes === 1 ? '' : 's'}: max/mean`, value: b.maxOverMean })));
  const one = balance[0]!;
  const best = balance.reduce((a, b) => (b.maxOverMean < a.maxOverMean ? b : a));
  out.step(
    `1 point per node: the busiest node holds ${one.maxOverMean.toFixed(2)}× the mean`,
    `${n} random points cut the ring into arcs of very different lengths, and a node's load is its arc. On add the new node takes whatever arc it lands on: ${one.movedOnAddPct.toFixed(1)}% here, where an even share is ${pct(1 / (n + 1))}.`,
    { ...one },
  );
  out.step(
    `${best.vnodes} points per node: max/mean ${best.maxOverMean.toFixed(2)}, stddev ${best.stddevPct.toFixed(1)}%`,
    'Many small arcs per node average out: each node\'s share approaches 1/N, and a leaving node\'s keys spread over all the others instead of doubling one neighbour. The cost is a bigger ring to search.',
    { ...best },
  );
  const modMax = modStats.max / modStats.mean;
  out.say(
    `hash mod N spreads keys ${modMax <= best.maxOverMean ? 'at least as evenly' : 'about as evenly'} (max/mean ${modMax.toFixed(2)}): every key is hashed straight to a node, so its weakness is what moves when N changes, not balance.`,
  );

  const single = buildRing(nodes, 1);
  const singleShrunk = buildRing(shrunk, 1);
  const singleRemoved = countMoves(
    hashes.map((h) => ringOwner(single, h)),
    hashes.map((h) => ringOwner(singleShrunk, h)),
    removed,
  );
  out.figure(`remove ${removed}, 1 vnode`, `${singleRemoved.moved} keys to ${singleRemoved.destinations} node${singleRemoved.destinations === 1 ? '' : 's'}`);
  out.figure(`remove ${removed}, ${vnodes} vnodes`, `${remRing.moved} keys to ${remRing.destinations} node${remRing.destinations === 1 ? '' : 's'}`);

  out.takeaways([
    `hash mod N reshuffles almost everything when N changes (${pct(addMod.fraction)} moved here): a cache cluster gets a miss storm, shards copy data for nothing.`,
    `A consistent-hash ring moves only the keys the new or leaving node must take (${pct(addRing.fraction)} here), on average 1/(N+1).`,
    'Virtual nodes (100–200 points per node) even out the arcs: balanced load, and a failed node\'s keys spread over all the others.',
    'Rendezvous (highest-random-weight) hashing gives the same minimal movement without a ring; so does jump hash, when buckets are only added or removed at the end.',
  ]);

  return {
    keys: keyCount,
    nodes: n,
    vnodes,
    add: { node: added, mod: { ...addMod, fraction: r3(addMod.fraction) }, ring: { ...addRing, fraction: r3(addRing.fraction) } },
    remove: { node: removed, mod: { ...remMod, fraction: r3(remMod.fraction) }, ring: { ...remRing, fraction: r3(remRing.fraction) }, singleVnode: { ...singleRemoved, fraction: r3(singleRemoved.fraction) } },
    balance: balance.map((b) => ({ ...b })),
    modBalance: { maxOverMean: r3(modStats.max / modStats.mean), stddevPct: r3((modStats.sd / modStats.mean) * 100) },
  };
}
