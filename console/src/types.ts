/** The supported workout types (public `GET /workout-types`), fetched once. */
import { api } from './api.ts';

let types: Promise<string[]> | undefined;

export function workoutTypes(): Promise<string[]> {
  types ??= api<{ items: { workoutType: string }[] }>('GET', '/workout-types', { token: null })
    .then((a) => a.body.items.map((i) => i.workoutType))
    .catch((e: unknown) => {
      types = undefined;
      throw e;
    });
  return types;
}

/** A one-shot message shown by the next page (e.g. "Workout deleted." on the list). */
let flash: string | null = null;
export function setFlash(message: string): void {
  flash = message;
}
export function takeFlash(): string | null {
  const m = flash;
  flash = null;
  return m;
}
