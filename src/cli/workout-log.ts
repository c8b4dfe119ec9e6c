/**
 * `workout-log`: import workout histories (Strava's activities.csv, NDJSON, CSV) into the workout
 * log API, export them, and make local tokens. `npx workout-log --help` or
 * `npm run --silent cli -- --help`.
 *
 * Exit codes: 0 done with nothing rejected; 1 done, some rows rejected (see the report file);
 * 2 could not run (usage, unreadable file, API unreachable or refusing the token);
 * 130 interrupted (the state is saved: run the same command again to finish).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { IMPORT_FORMATS, ImportFormatError, WORKOUT_FIELDS, type WorkoutField } from '../import/index.ts';
import { runExport } from './exporter.ts';
import { ApiError } from './http.ts';
import { runImport, type ImportSummary } from './importer.ts';
import { lineProgress, terminalProgress, type Progress } from './progress.ts';
import { tokenCommand } from './token-command.ts';

const EXIT = { ok: 0, rejected: 1, failed: 2, interrupted: 130 } as const;

const integer = (min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  return n;
};

/** `--columns workoutType=Type,startedAt=Date` (repeatable). */
function parseColumns(v: string, previous: Partial<Record<WorkoutField, string>> = {}) {
  const out = { ...previous };
  for (const pair of v.split(',')) {
    const m = /^\s*([A-Za-z]+)\s*=(.+)$/.exec(pair);
    if (!m) throw new InvalidArgumentError(`"${pair}" is not field=Header`);
    const field = m[1] as WorkoutField;
    if (!WORKOUT_FIELDS.includes(field))
      throw new InvalidArgumentError(`"${m[1]}" is not one of ${WORKOUT_FIELDS.join(', ')}`);
    out[field] = (m[2] ?? '').trim();
  }
  return out;
}

/** `--map 'Rowing=rowing,Workout=crossfit'` (repeatable). */
function parseMap(v: string, previous: Record<string, string> = {}) {
  const out = { ...previous };
  for (const pair of v.split(',')) {
    const m = /^(.+)=\s*([a-z][a-z0-9_-]*)\s*$/.exec(pair);
    if (!m) throw new InvalidArgumentError(`"${pair}" is not SourceType=serviceType (e.g. Rowing=rowing)`);
    out[(m[1] ?? '').trim()] = m[2] ?? '';
  }
  return out;
}

const apiOption = () => new Option('--api <url>', 'the API base URL').env('WORKOUT_API_URL');
const tokenOption = () => new Option('--token <token>', 'a bearer token').env('WORKOUT_API_TOKEN');

function need(value: string | undefined, what: string): string {
  if (!value) {
    process.stderr.write(
      `error: ${what} is required (or set ${what === '--api' ? 'WORKOUT_API_URL' : 'WORKOUT_API_TOKEN'})\n`,
    );
    process.exit(EXIT.failed);
  }
  return value;
}

function printSummary(s: ImportSummary, json: boolean) {
  if (json) {
    process.stdout.write(JSON.stringify(s) + '\n');
    return;
  }
  const types = Object.entries(s.skippedByType)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  const rate = s.seconds > 0 ? Math.round(s.rows / s.seconds) : s.rows;
  process.stdout.write(
    [
      `${s.interrupted ? 'interrupted' : 'done'}: ${s.imported} imported, ${s.present} already present, ${s.rejected} rejected, ${s.skipped} skipped${types ? ` by type (${types})` : ''}`,
      `${s.rows} rows in ${s.batches} batches${s.resumedBatches ? ` (${s.resumedBatches} finished by an earlier run)` : ''}, ${s.seconds.toFixed(1)} s, ${rate} rows/s`,
      ...(s.reportFile ? [`rejected rows (row, reason, line): ${s.reportFile}`] : []),
      ...(s.interrupted ? [`state saved in ${s.stateFile}: run the same command again to finish`] : []),
    ].join('\n') + '\n',
  );
}

function progressFor(mode: string, everySeconds: number): Progress {
  const quiet: Progress = {
    start() {},
    update() {},
    resumed() {},
    log: (m) => void process.stderr.write(m + '\n'),
    stop() {},
  };
  if (mode === 'none') return quiet;
  if (mode === 'bar' || (mode === 'auto' && process.stderr.isTTY)) return terminalProgress();
  return lineProgress(process.stderr, everySeconds * 1000);
}

const importCommand = new Command('import')
  .description(
    "Import a workout file: Strava's activities.csv (from the bulk export zip), NDJSON (as the API takes workouts, or as `export` writes them) or a CSV with a header row. Streams the file, sends batches of up to 100 to POST /workouts/batch, retries 429/503 after their Retry-After, and resumes where it stopped when run again.",
  )
  .argument('<file>', 'the file to import')
  .addOption(apiOption())
  .addOption(tokenOption())
  .option('--user <id>', "import for this user (an admin token may name any user; default: the token's own)")
  .addOption(
    new Option('--format <format>', 'the file format (default: detected from the content)').choices(
      IMPORT_FORMATS,
    ),
  )
  .option(
    '--columns <field=Header,...>',
    `CSV: which column holds which field (${WORKOUT_FIELDS.join(', ')})`,
    parseColumns,
  )
  .option('--map <Type=type,...>', "map source activity types to the service's types (repeatable)", parseMap)
  .option('--batch-size <n>', 'workouts per request (1-100)', integer(1, 100), 100)
  .option('--concurrency <n>', 'requests in flight at once (1-32)', integer(1, 32), 4)
  .option('--report <file>', 'where to write rejected rows (default: <file>.rejected.csv)')
  .option('--state-dir <dir>', 'where the resume state is kept', '.workout-log')
  .option('--restart', 'ignore a saved state and start over', false)
  .addOption(
    new Option('--progress <mode>', 'progress output')
      .choices(['auto', 'bar', 'lines', 'none'])
      .default('auto'),
  )
  .addOption(
    new Option('--progress-every <seconds>', 'seconds between progress lines')
      .argParser(integer(1, 3600))
      .default(5),
  )
  .option('--json', 'print the summary as JSON', false)
  .addHelpText(
    'after',
    `
Examples:
  $ export WORKOUT_API_URL=http://localhost:3000 WORKOUT_API_TOKEN=$(npx workout-log token ana)
  $ npx workout-log import ~/Downloads/export_123/activities.csv
  $ npx workout-log import activities.csv --map 'Rowing=rowing,Workout=crossfit'
  $ npx workout-log import ana.ndjson --user ana --token "$ADMIN_TOKEN" --concurrency 8
  $ npx workout-log import log.csv --columns workoutType=Type,startedAt=Date,durationMinutes=Minutes,distanceKm=Km

Strava types: Run, Trail Run, Virtual Run -> running; Ride, Virtual Ride, Mountain Bike Ride,
Gravel Ride, E-Bike Ride, E-Mountain Bike Ride, Velomobile, Handcycle -> cycling; Swim ->
swimming; Weight Training -> weightlifting; Yoga -> yoga; Crossfit -> crossfit; Hike -> hiking;
Walk -> walking. Other types are skipped and counted unless --map names them.

Exit code: 0 nothing rejected, 1 some rows rejected (report file), 2 could not run, 130 interrupted
(run the same command again to finish; nothing is counted twice).`,
  )
  .action(async (file: string, o: Record<string, unknown>) => {
    const api = need(o.api as string | undefined, '--api');
    const token = need(o.token as string | undefined, '--token');
    const controller = new AbortController();
    let interrupts = 0;
    const progress = progressFor(o.progress as string, o.progressEvery as number);
    const onSigint = () => {
      interrupts++;
      if (interrupts > 1) process.exit(EXIT.interrupted);
      progress.log(
        'stopping: waiting for the batches in flight, then saving the state (Ctrl-C again to quit now)',
      );
      controller.abort(new Error('interrupted'));
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    const summary = await runImport({
      file,
      api,
      token,
      user: o.user as string | undefined,
      format: o.format as never,
      columns: o.columns as never,
      map: o.map as never,
      batchSize: o.batchSize as number,
      concurrency: o.concurrency as number,
      report: o.report as string | undefined,
      stateDir: o.stateDir as string,
      restart: o.restart as boolean,
      progress,
      signal: controller.signal,
    });
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    printSummary(summary, o.json as boolean);
    process.exitCode = summary.interrupted ? EXIT.interrupted : summary.rejected ? EXIT.rejected : EXIT.ok;
  });

const exportCommand = new Command('export')
  .description('Export a user\'s profile and workouts, following the export\'s pages (Link: rel="next").')
  .addOption(apiOption())
  .addOption(tokenOption())
  .option('--user <id>', "whose data (an admin token may name any user; default: the token's own)")
  .option('--out <file>', 'write here instead of standard output')
  .addOption(
    new Option('--format <format>', 'NDJSON as the service sends it, or a CSV of the workouts')
      .choices(['ndjson', 'csv'])
      .default('ndjson'),
  )
  .addHelpText(
    'after',
    `
Examples:
  $ npx workout-log export --api http://localhost:3000 --token "$TOKEN" --out ana.ndjson
  $ npx workout-log export --user ana --token "$ADMIN_TOKEN" --format csv --out ana.csv
  $ npx workout-log import ana.ndjson --user ana-copy --token "$ADMIN_TOKEN"   # and back in`,
  )
  .action(async (o: Record<string, unknown>) => {
    const api = need(o.api as string | undefined, '--api');
    const token = need(o.token as string | undefined, '--token');
    const result = await runExport({
      api: {
        api,
        token,
        onRetry: ({ waitMs, reason }) =>
          process.stderr.write(`retrying after ${reason}: waiting ${(waitMs / 1000).toFixed(1)} s\n`),
      },
      user: o.user as string | undefined,
      out: o.out as string | undefined,
      format: o.format as 'ndjson' | 'csv',
    });
    process.stderr.write(
      `exported ${result.workouts} workouts${result.profile ? ' and the profile' : ''} in ${result.pages} page${result.pages === 1 ? '' : 's'}${o.out ? ` to ${o.out as string}` : ''}\n`,
    );
  });

const program = new Command('workout-log')
  .description('Bring workout histories into the workout log API and take them out.')
  .addCommand(importCommand)
  .addCommand(exportCommand)
  .addCommand(tokenCommand('token'))
  .showHelpAfterError()
  .addHelpText(
    'after',
    `
Examples:
  $ npx workout-log token ana
  $ npx workout-log import activities.csv --api http://localhost:3000 --token "$(npx workout-log token ana)"
  $ npx workout-log export --api http://localhost:3000 --token "$TOKEN" --out ana.ndjson

--api and --token default to $WORKOUT_API_URL and $WORKOUT_API_TOKEN. See each command's --help.`,
  );
for (const command of [program, ...program.commands]) {
  command.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.failed);
  });
}

try {
  await program.parseAsync();
} catch (err) {
  if (
    err instanceof ApiError ||
    err instanceof ImportFormatError ||
    (err as NodeJS.ErrnoException).code === 'ENOENT'
  ) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
  } else {
    process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(EXIT.failed);
}
