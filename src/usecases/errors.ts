/**
 * What a use case can answer besides success, in the contract's words. The HTTP layer maps each
 * to its status and problem `code` (src/http/app.ts).
 */

export class NotFoundError extends Error {
  override name = 'NotFoundError';
  constructor(
    readonly kind: 'user' | 'workout',
    readonly id: string,
  ) {
    super(`${kind} ${id} not found`);
  }
}

export class ConflictError extends Error {
  override name = 'ConflictError';
  constructor(
    readonly code: 'user_exists' | 'workout_conflict',
    message: string,
  ) {
    super(message);
  }
}

/** `If-Match` named a version that is no longer current; nothing was written. */
export class PreconditionFailedError extends Error {
  override name = 'PreconditionFailedError';
}

/** A `since` token older than the change entries kept: the client must sync from the start. */
export class SinceExpiredError extends Error {
  override name = 'SinceExpiredError';
}

/** A cursor that is malformed or belongs to another query. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
  constructor(
    message: string,
    readonly param: 'cursor' | 'since' = 'cursor',
  ) {
    super(message);
  }
}
