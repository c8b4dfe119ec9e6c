/**
 * The import parsers (src/import) on real files: a Strava `activities.csv` written from the real
 * export's format (the full header with its repeated `Elapsed Time`, `Distance`, `Max Heart Rate`
 * and `Relative Effort` columns; quoted names with commas, quotes and line breaks; empty cells; a
 * blank line), NDJSON as the API and `export` write it, a generic CSV, and a file of bad rows.
 * Every file is also parsed in random chunk sizes: a record split anywhere parses the same.
 */
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  detectFormat,
  ImportFormatError,
  parseWorkouts,
  type ParseOptions,
  type ParseResult,
  type WorkoutInput,
} from '../src/import/index.ts';
import { parseClock, parseNumber, parseStravaDate } from '../src/import/values.ts';

const fixture = (name: string) => `test/fixtures/${name}`;

async function* chunks(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}
async function parseText(text: string, opts: ParseOptions = {}, size = 65536): Promise<ParseResult[]> {
  const out: ParseResult[] = [];
  for await (const r of parseWorkouts(chunks(text, size), opts)) out.push(r);
  return out;
}
async function parseFile(name: string, opts: ParseOptions = {}): Promise<ParseResult[]> {
  const out: ParseResult[] = [];
  for await (const r of parseWorkouts(
    createReadStream(fixture(name), { encoding: 'utf8', highWaterMark: 64 }),
    opts,
  )) {
    out.push(r);
  }
  return out;
}
const workouts = (rs: ParseResult[]) => rs.flatMap((r) => ('workout' in r ? [r.workout] : []));
const byId = (rs: ParseResult[]) => new Map(workouts(rs).map((w) => [w.workoutId, w]));

const GENERIC_COLUMNS = {
  workoutType: 'Type',
  startedAt: 'Date',
  durationMinutes: 'Minutes',
  distanceKm: 'Km',
  caloriesBurned: 'Kcal',
  avgHeartRate: 'HR',
  notes: 'Comment',
} as const;

describe('Strava activities.csv', () => {
  test('the real header: repeated names are read by position, units converted', async () => {
    const results = await parseFile('strava-activities.csv');
    const ws = byId(results);
    assert.deepEqual(ws.get('strava-10912345678'), {
      workoutId: 'strava-10912345678',
      workoutType: 'running',
      startedAt: '2024-03-05T07:15:42Z', // "Mar 5, 2024, 7:15:42 AM", UTC
      durationSeconds: 2712, // the first Elapsed Time (whole seconds)
      distanceKm: 8.043, // the second Distance (metres 8043.2), not the first (display km 8.04)
      caloriesBurned: 612,
      avgHeartRate: 151, // 151.3 rounded; Max Heart Rate (twice) is not read
      notes: 'Morning Run',
    } satisfies WorkoutInput);
  });

  test('quoted names with commas, quotes and line breaks; the description joins the notes', async () => {
    const results = await parseFile('strava-activities.csv');
    const ride = results.find((r) => 'workout' in r && r.workout.workoutId === 'strava-10923456789');
    assert.ok(ride && 'workout' in ride);
    assert.equal(
      ride.workout.notes,
      'Commute, then "coffee" loop\n\nHeadwind all the way.\nStopped at the bakery.',
    );
    assert.equal(ride.workout.startedAt, '2024-03-06T17:02:10Z'); // 5:02:10 PM
    assert.equal(ride.row, 3);
    assert.match(
      ride.line,
      /^10923456789,"Mar 6, 2024, 5:02:10 PM","Commute, then ""coffee"" loop",Ride,"Headwind all the way\.\nStopped/,
    );
    // The record spans two lines: the next one starts on line 5.
    const swim = results.find((r) => 'workout' in r && r.workout.workoutId === 'strava-10934567890');
    assert.equal(swim?.row, 5);
  });

  test('odd rows: empty cells, zero distance, 12 AM / 12 PM, leap day, out-of-range heart rates', async () => {
    const ws = byId(await parseFile('strava-activities.csv'));
    assert.deepEqual(ws.get('strava-10945678901'), {
      workoutId: 'strava-10945678901',
      workoutType: 'weightlifting',
      startedAt: '2024-03-08T12:05:00Z', // 12:05 PM
      durationSeconds: 3600,
      avgHeartRate: 119,
      notes: 'Lifting',
    }); // no distance (0.0), no calories (empty)
    assert.equal(ws.get('strava-10989012345')?.startedAt, '2024-01-01T00:05:00Z'); // 12:05 AM
    assert.equal(ws.get('strava-10989012345')?.avgHeartRate, undefined); // 260.5 is out of 25-250
    assert.equal(ws.get('strava-10990123456')?.avgHeartRate, undefined); // 0.0 means none
    assert.equal(ws.get('strava-10990123456')?.startedAt, '2024-02-29T09:10:11Z');
    assert.equal(ws.get('strava-10978901234')?.startedAt, '2023-12-31T23:59:59Z'); // 11:59:59 PM
    assert.equal(ws.get('strava-10934567890')?.distanceKm, 1.5); // swim: 1500.0 metres
    assert.deepEqual(ws.get('strava-11012345678'), {
      workoutId: 'strava-11012345678',
      workoutType: 'crossfit',
      startedAt: '2024-04-03T07:07:07Z',
      durationSeconds: 1800,
    }); // no name, no description: no notes
    assert.equal(ws.get('strava-11001234567')?.workoutType, 'cycling'); // Virtual Ride
    assert.equal(ws.get('strava-11023456789')?.workoutType, 'running'); // Trail Run
  });

  test('unmapped types are skipped and named; --map maps them', async () => {
    const results = await parseFile('strava-activities.csv');
    const skipped = results.flatMap((r) => ('skippedType' in r && r.skippedType ? [r.skippedType] : []));
    assert.deepEqual(skipped, ['Rowing', 'Workout']);
    assert.equal(workouts(results).length, 10);
    assert.ok(results.every((r) => !('error' in r) || r.skippedType)); // nothing else is wrong

    const mapped = await parseFile('strava-activities.csv', {
      map: { Rowing: 'rowing', workout: 'crossfit' },
      types: [
        'running',
        'cycling',
        'swimming',
        'weightlifting',
        'yoga',
        'crossfit',
        'hiking',
        'walking',
        'rowing',
      ],
    });
    assert.equal(byId(mapped).get('strava-10956789012')?.workoutType, 'rowing');
    assert.equal(byId(mapped).get('strava-10967890123')?.workoutType, 'crossfit');
    assert.equal(workouts(mapped).length, 12);
  });

  test('--map to a type the service does not have is refused up front', async () => {
    await assert.rejects(
      parseFile('strava-activities.csv', { map: { Rowing: 'rowing' } }),
      ImportFormatError,
    );
  });

  test('bad rows are reported with their line number and text; the good ones still parse', async () => {
    const results = await parseFile('strava-bad-rows.csv');
    const errors = results.flatMap((r) =>
      'error' in r && !r.skippedType ? [[r.row, r.error] as const] : [],
    );
    assert.deepEqual(errors, [
      [3, 'Activity Date "32/13/2024" is not a date like "Mar 5, 2024, 7:15:42 AM"'],
      [4, 'no Elapsed Time'],
      [5, 'Activity ID "abc" is not a number'],
      [9, 'has 5 cells, the header has 94'],
    ]);
    const short = results.find((r) => r.row === 9);
    assert.equal(short?.line, '12000000008,"Mar 16, 2024, 7:00:00 AM",Short row,Run,1800'); // CRLF file
    assert.deepEqual(
      workouts(results).map((w) => w.workoutId),
      // 12000000005 (25 hours) and the second 12000000001 (other content) parse: the service rejects them.
      [
        'strava-12000000001',
        'strava-12000000005',
        'strava-12000000007',
        'strava-12000000009',
        'strava-12000000001',
      ],
    );
  });

  test('a file without the Strava columns is refused as a whole', async () => {
    await assert.rejects(
      parseText('Activity ID,Name\n1,x\n', { format: 'strava' }),
      /no "Activity Date", "Activity Type", "Elapsed Time" column/,
    );
  });
});

describe('NDJSON', () => {
  test('export lines become workouts to send; API-shaped lines pass as they are', async () => {
    const results = await parseFile('workouts.ndjson', {
      map: { Rowing: 'running' },
    });
    assert.deepEqual(workouts(results)[0], {
      workoutId: 'exp-1',
      workoutType: 'running',
      startedAt: '2024-05-01T06:30:00Z',
      timezone: 'Europe/Lisbon',
      durationSeconds: 2550, // durationMinutes dropped: seconds are the precise one
      caloriesBurned: 455.3,
      distanceKm: 8.2,
      intensity: 'high',
      avgHeartRate: 151,
      notes: 'tempo run',
    }); // no userId, localDate, createdAt, updatedAt, caloriesEstimated
    assert.equal(workouts(results)[1]?.caloriesBurned, undefined); // it was an estimate: estimated again
    assert.equal(workouts(results)[2]?.durationMinutes, 60);
    const derived = workouts(results)[3];
    assert.equal(derived?.workoutType, 'running');
    assert.match(String(derived?.workoutId), /^ndjson-[A-Za-z0-9_-]{16}$/);
    assert.deepEqual(
      results.map((r) => r.row),
      [2, 3, 5, 6],
    ); // the profile line and the blank line are not workouts
  });

  test('a derived id is stable: the same line gives the same id', async () => {
    const line = '{"workoutType":"running","startedAt":"2024-05-04T07:00:00Z","durationSeconds":1520}\n';
    const [a] = workouts(await parseText(line));
    const [b] = workouts(await parseText(line));
    assert.equal(a?.workoutId, b?.workoutId);
  });

  test('bad lines', async () => {
    const results = await parseText('{"workoutType":"running"\n[1,2]\n{"workout":3}\n', { format: 'ndjson' });
    assert.deepEqual(
      results.map((r) => ('error' in r ? [r.row, r.error, r.line] : r)),
      [
        [1, 'not valid JSON', '{"workoutType":"running"'],
        [2, 'not a JSON object', '[1,2]'],
        [3, '"workout" is not an object', '{"workout":3}'],
      ],
    );
  });
});

describe('generic CSV', () => {
  test('--columns names the columns; types, dates and numbers are read', async () => {
    const results = await parseFile('workouts.csv', { columns: GENERIC_COLUMNS });
    const ws = workouts(results);
    assert.equal(ws.length, 4);
    assert.deepEqual(
      { ...ws[0], workoutId: undefined },
      {
        workoutType: 'running', // "Run" through Strava's table
        startedAt: '2024-06-01T07:00:00Z',
        caloriesBurned: 350,
        distanceKm: 5.1,
        avgHeartRate: 148,
        durationMinutes: 30,
        notes: 'easy, with strides',
        workoutId: undefined,
      },
    );
    assert.match(String(ws[0]?.workoutId), /^csv-/);
    assert.equal(ws[2]?.startedAt, '2024-06-03T06:00:00Z'); // a Strava-style date is read as UTC
    assert.equal(ws[3]?.notes, 'multi-line\nnote');
    assert.equal(new Set(ws.map((w) => w.workoutId)).size, 4);
  });

  test('without --columns, headers named like the fields are used (the CSV that export writes)', async () => {
    const text =
      'workoutId,userId,workoutType,startedAt,localDate,durationMinutes,durationSeconds,caloriesBurned,caloriesEstimated,distanceKm,intensity,avgHeartRate,notes\n' +
      'w1,,running,2024-06-01T07:00:00Z,2024-06-01,25.33,1520,300,false,5,high,150,"a, b"\n';
    const [w] = workouts(await parseText(text, { format: 'csv' }));
    assert.deepEqual(w, {
      workoutType: 'running',
      startedAt: '2024-06-01T07:00:00Z',
      workoutId: 'w1',
      intensity: 'high',
      caloriesBurned: 300,
      distanceKm: 5,
      avgHeartRate: 150,
      durationSeconds: 1520,
      notes: 'a, b',
    });
  });

  test('missing columns are refused as a whole; bad cells are reported per row', async () => {
    await assert.rejects(
      parseText('Type,Date\nrun,2024-01-01T00:00:00Z\n'),
      /no column for workoutType, startedAt, durationMinutes or durationSeconds: name them with --columns/,
    );
    await assert.rejects(
      parseText('a,b\n1,2\n', { columns: { workoutType: 'Kind' } }),
      /the header has no column "Kind"/,
    );
    const results = await parseText(
      'workoutType,startedAt,durationSeconds\nrunning,2024-06-01 07:00,60\nrunning,2024-06-01T07:00:00Z,ten\nrunning,2024-06-01T07:00:00Z,25:20\n',
    );
    assert.deepEqual(
      results.map((r) => ('error' in r ? r.error : r.workout.durationSeconds)),
      [
        'startedAt "2024-06-01 07:00" is not an RFC 3339 date-time with Z or an offset',
        'durationSeconds "ten" is not a number of seconds or h:mm:ss',
        1520,
      ],
    );
  });
});

describe('format detection and chunking', () => {
  test('detected from the content', () => {
    assert.equal(
      detectFormat(readFileSync(fixture('strava-activities.csv'), 'utf8').slice(0, 300)),
      'strava',
    );
    assert.equal(detectFormat('\ufeff{"profile":null}\n'), 'ndjson');
    assert.equal(detectFormat('Date,Type,Minutes\n'), 'csv');
  });

  test('every fixture parses the same in any chunk sizes (records split anywhere)', async () => {
    const files = readdirSync('test/fixtures').filter((f) => /\.(csv|ndjson)$/.test(f));
    for (const file of files) {
      const text = readFileSync(fixture(file), 'utf8');
      const opts: ParseOptions = file === 'workouts.csv' ? { columns: GENERIC_COLUMNS } : {};
      const whole = await parseText(text, opts);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 97 }), async (size) => {
          assert.deepEqual(await parseText(text, opts, size), whole, `${file} in chunks of ${size}`);
        }),
        { numRuns: 15 },
      );
    }
  });

  test('a byte-order mark and CRLF line breaks change nothing', async () => {
    const text = readFileSync(fixture('strava-activities.csv'), 'utf8');
    const plain = workouts(await parseText(text));
    const windows = workouts(await parseText('\ufeff' + text.replace(/\n/g, '\r\n'), {}, 5));
    assert.deepEqual(
      windows.map((w) => (w.notes ? { ...w, notes: w.notes.replace(/\r\n/g, '\n') } : w)),
      plain,
    );
  });
});

describe('cells', () => {
  test('Strava dates', () => {
    assert.equal(parseStravaDate('Mar 5, 2024, 7:15:42 AM'), '2024-03-05T07:15:42Z');
    assert.equal(parseStravaDate('Mar 5, 2024, 7:15:42\u202fPM'), '2024-03-05T19:15:42Z');
    assert.equal(parseStravaDate('Sept 30, 2023, 12:00:00 PM'), '2023-09-30T12:00:00Z');
    assert.equal(parseStravaDate('2024-03-05 07:15:42'), '2024-03-05T07:15:42Z');
    for (const bad of [
      'Feb 30, 2024, 1:00:00 AM',
      'Foo 1, 2024, 1:00:00 AM',
      'Mar 5, 2024, 13:00:00 PM',
      '5/3/2024',
    ]) {
      assert.equal(parseStravaDate(bad), null, bad);
    }
  });
  test('numbers and clocks', () => {
    assert.equal(parseNumber('1,500'), 1500);
    assert.equal(parseNumber('18962.80078125'), 18962.80078125);
    assert.equal(parseNumber(''), null);
    assert.equal(parseNumber('1,5'), null);
    assert.equal(parseClock('1:02:03'), 3723);
    assert.equal(parseClock('25:20'), 1520);
  });
});
