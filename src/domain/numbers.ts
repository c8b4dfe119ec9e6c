/**
 * Decimal helpers. Every measured field has a bounded number of decimals (see schemas), so sums
 * are computed on scaled integers and stay exact: 0.1 + 0.2 is 0.3 here.
 */

/** Rounds half away from zero to `digits` decimals. */
export function roundTo(value: number, digits: number): number {
  const f = 10 ** digits;
  return (Math.sign(value) * Math.round(Math.abs(value) * f + Number.EPSILON)) / f;
}

/** How many decimals a number is written with (1.25 → 2, 3 → 0, 1e-7 → 7). */
export function decimalPlaces(value: number): number {
  if (Number.isInteger(value)) return 0;
  const text = value.toString();
  const exp = /e-(\d+)$/.exec(text);
  if (exp) {
    const mantissa = text.slice(0, exp.index);
    return Number(exp[1]) + (mantissa.split('.')[1]?.length ?? 0);
  }
  return text.split('.')[1]?.length ?? 0;
}

/** Exact sum of numbers with at most `digits` decimals. */
export function exactSum(values: Iterable<number>, digits = 3): number {
  const f = 10 ** digits;
  let scaled = 0;
  for (const v of values) scaled += Math.round(v * f);
  return scaled / f;
}
