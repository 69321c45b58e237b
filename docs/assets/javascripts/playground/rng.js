// A small seeded random generator, so that a seed in the URL gives the same data and the same
// initial weights on every machine. mulberry32: 32-bit state, period 2^32, plenty for a few
// thousand points; Math.random cannot be seeded.

export function makeRng(seed) {
  let state = (seed >>> 0) || 1;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296; // in [0, 1)
  };
  let spare = null;
  return {
    uniform,
    /** U(low, high) */
    between: (low, high) => low + (high - low) * uniform(),
    /** N(0, 1) by the Box-Muller transform (the second value of each pair is kept for the next call). */
    normal() {
      if (spare !== null) { const s = spare; spare = null; return s; }
      const u = 1 - uniform(), v = uniform();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    /** A random permutation of 0..n-1 (Fisher-Yates). */
    permutation(n) {
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(uniform() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      return order;
    },
  };
}
