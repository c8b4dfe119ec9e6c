/** Moved to support/service-process.ts (shared by the tests and the benchmarks); kept so test imports keep working. */
export * from '../../support/service-process.ts';
