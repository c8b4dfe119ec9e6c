/**
 * Decimal helpers. Every measured field has a bounded number of decimals (see schemas), so sums
 * are computed on scaled integers and stay exact: 0.1 + 0.2 is 0.3 here.
 */

/**
 * Rounds half away from zero to `digits` decimals, on the decimal text of the number, so that
 * 1.005 (stored as 1.00499999...) rounds to 1.01 as written.
 */
export function roundTo(value: number, digits: number): number {
  const text = String(Math.abs(value));
  // Exponent forms (1e-7, 1e21) are far from any rounding boundary: plain arithmetic is exact enough.
  if (text.includes('e'))
    return (Math.sign(value) * Math.round(Math.abs(value) * 10 ** digits)) / 10 ** digits;
  return Math.sign(value) * Number(`${Math.round(Number(`${text}e${digits}`))}e-${digits}`);
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
