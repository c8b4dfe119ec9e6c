/** Moved to support/raw-http.ts (shared by the tests and the benchmarks); kept so test imports keep working. */
export * from '../../support/raw-http.ts';
