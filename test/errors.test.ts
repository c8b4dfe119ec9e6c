/** What a DynamoDB failure means for the caller (src/store/errors.ts), on the error shapes aws-lite produces. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, isUnavailable, StoreUnavailableError, withConflictRetry } from '../src/store/errors.ts';

const cancelled = (...reasons: string[]) =>
  Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    code: 'TransactionCanceledException',
    statusCode: 400,
    CancellationReasons: reasons.map((Code) => ({ Code })),
  });

test('a refused connection (aws-lite: a plain Error carrying the host) is an outage', () => {
  const err = Object.assign(
    new Error('@aws-lite/client: DynamoDB.GetItem: connect ECONNREFUSED 127.0.0.1:1'),
    {
      host: '127.0.0.1',
      port: 1,
    },
  );
  assert.equal(isUnavailable(err), true);
  assert.ok(classify(err) instanceof StoreUnavailableError);
});

test('throttling, 5xx and timeouts are outages; validation errors and program bugs are not', () => {
  assert.equal(
    isUnavailable(
      Object.assign(new Error('x'), { code: 'ProvisionedThroughputExceededException', statusCode: 400 }),
    ),
    true,
  );
  assert.equal(
    isUnavailable(Object.assign(new Error('x'), { code: 'InternalServerError', statusCode: 500 })),
    true,
  );
  assert.equal(
    isUnavailable(Object.assign(new Error('x'), { code: 'ValidationException', statusCode: 400 })),
    false,
  );
  // A bug with a Node error code is a 500 to fix, not a 503 to retry forever.
  assert.equal(
    isUnavailable(Object.assign(new TypeError('bad arg'), { code: 'ERR_INVALID_ARG_TYPE' })),
    false,
  );
  assert.equal(isUnavailable(cancelled('None', 'ConditionalCheckFailed')), false);
});

test('a transaction cancelled by a throttled partition or a conflict is retried; throttling is an outage when it lasts', async () => {
  const throttled = cancelled('None', 'ProvisionedThroughputExceeded', 'None');
  assert.equal(isUnavailable(throttled), true);
  assert.ok(classify(throttled) instanceof StoreUnavailableError);
  // The client library does not retry a cancelled transaction: withConflictRetry does.
  let attempts = 0;
  const passed = await withConflictRetry(async () => {
    attempts++;
    if (attempts < 3) throw cancelled('None', 'ThrottlingError');
    return 'stored';
  });
  assert.equal(passed, 'stored');
  assert.equal(attempts, 3);
  // Contention between transactions of one user (TransactionConflict) is retried until it passes.
  attempts = 0;
  const result = await withConflictRetry(async () => {
    attempts++;
    if (attempts < 4) throw cancelled('None', 'TransactionConflict');
    return 'done';
  });
  assert.equal(result, 'done');
  assert.equal(attempts, 4);
  assert.equal(isUnavailable(cancelled('None', 'TransactionConflict')), false);
});
