/**
 * Lab: cache eviction. Real FIFO, LRU (a Map, O(1)) and LFU (frequency buckets, O(1)) caches replay the same
 * seeded Zipf access trace at several sizes; Bélády's optimal policy, which knows the future, gives the
 * ceiling. Then a one-pass scan of cold keys is spliced into the middle of the trace, and finally the hot set
 * moves, to show what each policy remembers. Every hit ratio is counted from the replay.
 */
import type { LabContext, LabObservations } from '../src/labs/types.js';

type Policy = 'FIFO' | 'LRU' | 'LFU' | 'OPT';
const POLICIES: readonly Policy[] = ['FIFO', 'LRU', 'LFU', 'OPT'];
const REAL: readonly Exclude<Policy, 'OPT'>[] = ['FIFO', 'LRU', 'LFU'];

interface Cache {
  /** Look the key up; on a miss, load it (cache-aside) and evict if over capacity. True on a hit. */
  access(key: string): boolean;
  keys(): string[];
  readonly evictions: number;
}

/**
 * First in, first out, and least recently used: one Map, which remembers insertion order, evicting from the
 * front. FIFO leaves a hit where it is; LRU deletes and re-inserts it, so the key moves to the end.
 */
function insertionOrderCache(capacity: number, hitRefreshes: boolean): Cache {
  const map = new Map<string, true>();
  let evictions = 0;
  return {
    access(key) {
      if (map.has(key)) {
        if (hitRefreshes) {
          map.delete(key);
          map.set(key, true);
        }
        return true;
      }
      map.set(key, true);
      if (map.size > capacity) {
        map.delete(map.keys().next().value!);
        evictions++;
      }
      return false;
    },
    keys: () => [...map.keys()],
    get evictions() {
      return evictions;
    },
  };
}

/**
 * Least frequently used, O(1): each key's count, one insertion-ordered Set of keys per count, and the
 * smallest count present. The victim is the least recently used key among those with the smallest count.
 * Counts live only while the key is cached and never decay (no ageing).
 */
function lfuCache(capacity: number): Cache {
  const freq = new Map<string, number>();
  const buckets = new Map<number, Set<string>>();
  let minFreq = 0;
  let evictions = 0;
  const bucket = (f: number) => {
    let b = buckets.get(f);
    if (!b) buckets.set(f, (b = new Set()));
    return b;
  };
  return {
    access(key) {
      const f = freq.get(key);
      if (f !== undefined) {
        const b = buckets.get(f)!;
        b.delete(key);
        if (b.size === 0) {
          buckets.delete(f);
          if (minFreq === f) minFreq = f + 1;
        }
        freq.set(key, f + 1);
        bucket(f + 1).add(key);
        return true;
      }
      if (freq.size >= capacity) {
        const b = buckets.get(minFreq)!;
        const victim = b.values().next().value!;
        b.delete(victim);
        if (b.size === 0) buckets.delete(minFreq);
        freq.delete(victim);
        evictions++;
      }
      freq.set(key, 1);
      bucket(1).add(key);
      minFreq = 1;
      return false;
    },
    keys: () => [...freq.keys()],
    get evictions() {
      return evictions;
    },
  };
}

/** A binary max-heap of [priority, key]. */
class MaxHeap {
  private readonly items: [number, string][] = [];
  push(item: [number, string]): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p]![0] >= a[i]![0]) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): [number, string] | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length && last) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]![0] > a[m]![0]) m = l;
        if (r < a.length && a[r]![0] > a[m]![0]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Bélády's MIN: admits every miss like the others, then evicts the cached key whose next use is furthest in
 * the future (or never). It needs the whole trace in advance, so it is a ceiling, not a policy you can run.
 */
function optimalHits(trace: readonly string[], capacity: number): boolean[] {
  const n = trace.length;
  const nextUse = new Array<number>(n);
  const seen = new Map<string, number>();
  for (let i = n - 1; i >= 0; i--) {
    // Never used again: beyond the end of the trace (unique, so stale heap entries are recognisable).
    nextUse[i] = seen.get(trace[i]!) ?? n + i;
    seen.set(trace[i]!, i);
  }
  const cached = new Map<string, number>();
  const heap = new MaxHeap();
  const hits = new Array<boolean>(n);
  for (let i = 0; i < n; i++) {
    const key = trace[i]!;
    hits[i] = cached.has(key);
    if (!hits[i] && cached.size >= capacity) {
      for (let e = heap.pop(); e; e = heap.pop()) {
        if (cached.get(e[1]) === e[0]) {
          cached.delete(e[1]);
          break;
        }
      }
    }
    cached.set(key, nextUse[i]!);
    heap.push([nextUse[i]!, key]);
  }
  return hits;
}

function makeCache(policy: Exclude<Policy, 'OPT'>, capacity: number): Cache {
  return policy === 'LFU' ? lfuCache(capacity) : insertionOrderCache(capacity, policy === 'LRU');
}

/** Replay a trace; returns hit or miss per request, and the cache itself (to look inside afterwards). */
function replay(policy: Exclude<Policy, 'OPT'>, capacity: number, trace: readonly string[]): { hits: boolean[]; cache: Cache } {
  const cache = makeCache(policy, capacity);
  return { hits: trace.map((k) => cache.access(k)), cache };
}

function hitsOf(policy: Policy, capacity: number, trace: readonly string[]): boolean[] {
  return policy === 'OPT' ? optimalHits(trace, capacity) : replay(policy, capacity, trace).hits;
}

const ratio = (hits: readonly boolean[], from = 0, to = hits.length) => {
  let h = 0;
  for (let i = from; i < to; i++) if (hits[i]) h++;
  return to > from ? h / (to - from) : 0;
};
const pct = (r: number) => Math.round(r * 1000) / 10;
const fmt = (r: number) => `${(r * 100).toFixed(1)}%`;
/** A difference of two ratios, in percentage points (not a relative change). */
const pts = (d: number) => `${(d * 100).toFixed(1)} pts`;

/** Zipf(s) over `keys` keys: key rank i (1-based) is requested with probability ∝ 1 / i^s. */
function zipfSampler(rng: () => number, keys: number, s: number, name: (rank: number) => string) {
  const cdf = new Float64Array(keys);
  let sum = 0;
  for (let i = 0; i < keys; i++) cdf[i] = sum += 1 / (i + 1) ** s;
  return () => {
    const u = rng() * sum;
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return name(lo + 1);
  };
}

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const keys = ctx.params.keys ?? 1000;
  const requests = ctx.params.requests ?? 20_000;
  const s = (ctx.params.zipf ?? 100) / 100;
  const scanLength = ctx.params.scan ?? 2 * keys;
  const sizes = [...new Set([0.01, 0.02, 0.05, 0.1, 0.2].map((f) => Math.max(1, Math.round(keys * f))))];
  const focus = sizes[Math.min(2, sizes.length - 1)]!;

  const sample = zipfSampler(ctx.rng, keys, s, (r) => `k${r}`);
  const trace = Array.from({ length: requests }, sample);
  const distinct = new Set(trace).size;
  // The share of requests that go to the `focus` most popular keys: what a perfect static cache would hit.
  const counts = new Map<string, number>();
  for (const k of trace) counts.set(k, (counts.get(k) ?? 0) + 1);
  const topShare = [...counts.values()].sort((a, b) => b - a).slice(0, focus).reduce((a, b) => a + b, 0) / requests;

  out.say(
    `A seeded trace of ${requests.toLocaleString('en-US')} reads over ${keys.toLocaleString('en-US')} keys, Zipf-skewed (exponent ${s}): key k1 is read most, k2 ${s === 1 ? 'half as often' : `1/2^${s} as often (${((1 / 2 ** s) * 100).toFixed(0)}%)`}, key kN 1/N^${s} as often. ${distinct} distinct keys were read; the top ${focus} took ${fmt(topShare)} of the reads.`,
  );
  out.say('Each policy is a real cache-aside cache: a miss loads the key and evicts one entry when the cache is over capacity. OPT (Bélády) sees the future and evicts the key needed furthest ahead: the ceiling no real policy can beat.');
  out.code(
    [
      'get(key) {                       // LRU on a Map: O(1)',
      '  if (!this.map.has(key)) return miss(key);',
      '  this.map.delete(key);          // move to the most-recent end',
      '  this.map.set(key, true);',
      '}                                // evict: this.map.keys().next()',
    ].join('\n'),
  );

  let orderGuess: readonly string[] | undefined;
  if (ctx.prompts) orderGuess = await ctx.prompts.predictOrder(`with room for ${focus} of ${keys} keys, rank the hit ratios, highest first`, ['FIFO', 'LRU', 'LFU']);

  out.heading('Hit ratio by cache size, same trace');
  const grid = sizes.map((size) => ({ size, byPolicy: Object.fromEntries(POLICIES.map((p) => [p, ratio(hitsOf(p, size, trace))])) as Record<Policy, number> }));
  out.table([
    ['cache size', 'FIFO', 'LRU', 'LFU', 'OPT (Bélády)'],
    ...grid.map((g) => [`${g.size} keys (${((g.size / keys) * 100).toFixed(0)}%)`, ...POLICIES.map((p) => fmt(g.byPolicy[p]))]),
  ]);
  const atFocus = grid.find((g) => g.size === focus)!.byPolicy;
  out.heading(`Hit ratio at ${focus} keys`);
  out.bars(
    POLICIES.map((p) => ({ label: p === 'OPT' ? 'OPT (ceiling)' : p, value: pct(atFocus[p]) })),
    '%',
  );
  const ranked = [...REAL].sort((a, b) => atFocus[b] - atFocus[a]);
  if (orderGuess) {
    const right = orderGuess.every((g, i) => g === ranked[i]);
    out.say(right ? 'Your ranking matched the replay.' : `You ranked ${orderGuess.join(' > ')}; the replay gave ${ranked.join(' > ')}.`);
  }
  const best = ranked[0]!;
  const worst = ranked[ranked.length - 1]!;
  out.step(
    `At ${focus} keys: ${ranked.map((p) => `${p} ${fmt(atFocus[p])}`).join(', ')}; OPT ${fmt(atFocus.OPT)}`,
    `${best} came closest to the ceiling and ${worst} was furthest from it, ${pts(atFocus.OPT - atFocus[worst])} below. FIFO evicts by load time, so even k1 is thrown out every ${focus} misses and must miss again; LRU keeps whatever was read recently; LFU keeps whatever was read often, which on a stable skewed trace is the hot set. The top ${focus} keys alone would have served ${fmt(topShare)}.`,
    { size: focus, ...atFocus, topShare: pct(topShare) },
  );
  const small = grid[0]!;
  const large = grid[grid.length - 1]!;
  out.figure(`LRU from ${small.size} to ${large.size} keys`, `${fmt(small.byPolicy.LRU)} → ${fmt(large.byPolicy.LRU)}`, `${Math.round(large.size / small.size)}× the memory`);

  if (ctx.signal.aborted) throw ctx.signal.reason;
  // ---- Scan pollution ------------------------------------------------------------------------------------
  const half = Math.floor(requests / 2);
  // The export runs alongside normal traffic: two scan reads after each normal read until the scan is done.
  const window = Math.min(Math.ceil(scanLength / 2), requests - half);
  const scanned: string[] = trace.slice(0, half);
  let next = 1;
  for (let i = half; i < half + window; i++) {
    scanned.push(trace[i]!);
    for (let j = 0; j < 2 && next <= scanLength; j++) scanned.push(`scan${next++}`);
  }
  while (next <= scanLength) scanned.push(`scan${next++}`);
  const scanEnd = scanned.length;
  scanned.push(...trace.slice(half + window));
  const isScan = (k: string) => k.startsWith('scan');
  out.heading(`A scan in the middle: ${scanLength.toLocaleString('en-US')} cold keys, read once each`);
  out.say(
    `The same trace, cache size ${focus}, but after read ${half.toLocaleString('en-US')} a batch export reads ${scanLength.toLocaleString('en-US')} keys nobody else wants, once each, two scan reads after every normal read. Below: the hit ratio of the ${window.toLocaleString('en-US')} normal reads made during the scan, against the very same reads in the run without it, and how many cached keys were normal keys when the scan ended.`,
  );
  let scanGuess: number | undefined;
  if (ctx.prompts) scanGuess = await ctx.prompts.predictChoice('during the scan, which policy keeps its hit ratio?', ['FIFO', 'LRU', 'LFU', 'none of them: the scan is larger than the cache']);

  const scanRows: { policy: Policy; withoutScan: number; withScan: number; hotKept: number }[] = [];
  for (const policy of POLICIES) {
    const plain = hitsOf(policy, focus, trace);
    const withScan = hitsOf(policy, focus, scanned);
    let normalHits = 0;
    for (let i = half; i < scanEnd; i++) if (!isScan(scanned[i]!) && withScan[i]) normalHits++;
    let hotKept = -1;
    if (policy !== 'OPT') {
      // Replay up to the end of the scan and look inside the cache.
      const { cache } = replay(policy, focus, scanned.slice(0, scanEnd));
      hotKept = cache.keys().filter((k) => !isScan(k)).length;
    }
    scanRows.push({ policy, withoutScan: ratio(plain, half, half + window), withScan: window ? normalHits / window : 0, hotKept });
  }
  out.table([
    ['policy', 'same reads, no scan', 'during the scan', 'lost', 'normal keys kept'],
    ...scanRows.map((r) => [r.policy, fmt(r.withoutScan), fmt(r.withScan), pts(r.withoutScan - r.withScan), r.hotKept < 0 ? '–' : `${r.hotKept} of ${focus}`]),
  ]);
  const row = (p: Policy) => scanRows.find((r) => r.policy === p)!;
  const lost = (p: Policy) => row(p).withoutScan - row(p).withScan;
  const lru = row('LRU');
  const lfu = row('LFU');
  const fifo = row('FIFO');
  const resists = [...REAL].sort((a, b) => lost(a) - lost(b))[0]!;
  if (scanGuess !== undefined) {
    const answer = lost(resists) > 0.05 ? 3 : REAL.indexOf(resists);
    out.say(scanGuess === answer ? 'Right, the replay agrees.' : `The replay says otherwise: ${REAL.map((p) => `${p} lost ${pts(lost(p))}`).join(', ')}.`);
  }
  out.step(
    `LRU: ${fmt(lru.withoutScan)} → ${fmt(lru.withScan)}, ${lru.hotKept} of ${focus} normal keys left`,
    `Each scanned key is, when read, the most recently used one, so every scan read pushes the least recent key out: a normal key survives only if it is read again before ${focus} other distinct keys are, and two reads in three are now scan keys. FIFO evicts by load time, so the scan pushes its keys out just the same: ${fmt(fifo.withoutScan)} → ${fmt(fifo.withScan)}, ${pts(lost('FIFO'))} lost against LRU's ${pts(lost('LRU'))}.`,
    { ...lru },
  );
  out.step(
    `LFU: ${fmt(lfu.withoutScan)} → ${fmt(lfu.withScan)}, ${lfu.hotKept} of ${focus} normal keys left`,
    'Each scanned key arrives with a count of 1, the lowest there is; once the other count-1 keys are gone, the next scanned key evicts it, so the scan churns through one slot while keys with higher counts stay put.',
    { ...lfu },
  );

  if (ctx.signal.aborted) throw ctx.signal.reason;
  // ---- The hot set moves ---------------------------------------------------------------------------------
  out.heading('When the hot set moves');
  const shifted = zipfSampler(ctx.rng, keys, s, (r) => `k${keys + r}`);
  const moved = [...trace.slice(0, half), ...Array.from({ length: requests - half }, shifted)];
  out.say(
    `Same first half; then the popularity moves to ${keys.toLocaleString('en-US')} new keys (yesterday's trending products, today's). Hit ratio on the second half, cache size ${focus}:`,
  );
  const shift = POLICIES.map((p) => ({ policy: p, secondHalf: ratio(hitsOf(p, focus, moved), half) }));
  out.bars(
    shift.map((x) => ({ label: x.policy === 'OPT' ? 'OPT (ceiling)' : x.policy, value: pct(x.secondHalf) })),
    '%',
  );
  const sh = (p: Policy) => shift.find((x) => x.policy === p)!.secondHalf;
  out.step(
    `LFU ${fmt(sh('LFU'))} against LRU ${fmt(sh('LRU'))} once the hot set moved`,
    sh('LFU') < sh('LRU')
      ? 'The old hot keys carry large counts and are never read again, but LFU without ageing keeps them; the new hot keys fight over the few slots left. Redis LFU decays its counters (lfu-decay-time) for this reason.'
      : 'The old counts did not hold LFU back on this trace; with a longer first half they grow larger and take longer to be outnumbered. Redis LFU decays its counters (lfu-decay-time) so that old popularity fades.',
    { lfu: pct(sh('LFU')), lru: pct(sh('LRU')), fifo: pct(sh('FIFO')), opt: pct(sh('OPT')) },
  );

  out.takeaways([
    'On a skewed workload a cache of a few percent of the keys can serve most reads; measure the hit ratio, do not guess it.',
    'LRU is a Map with delete-and-reinsert on a hit: O(1), and the right default, but a scan larger than the cache flushes its hot set.',
    'LFU shrugs off scans because one read is the lowest count, yet without decay it clings to yesterday’s hot keys.',
    'Bélády’s OPT needs the future; the gap to it shows how much a better policy could still win.',
  ]);

  return {
    keys,
    requests,
    zipf: s,
    distinct,
    sizes,
    focus,
    topShare: pct(topShare),
    hitRatio: grid.map((g) => ({ size: g.size, ...Object.fromEntries(POLICIES.map((p) => [p, pct(g.byPolicy[p])])) })),
    ranking: ranked,
    scan: {
      length: scanLength,
      window,
      rows: scanRows.map((r) => ({ policy: r.policy, withoutScan: pct(r.withoutScan), withScan: pct(r.withScan), hotKept: r.hotKept })),
    },
    shift: shift.map((x) => ({ policy: x.policy, secondHalf: pct(x.secondHalf) })),
  };
}
