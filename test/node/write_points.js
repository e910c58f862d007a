#!/usr/bin/env node
// write_points.js — write N points to an InfluxDB-compatible HTTP write API
// with the real InfluxDB v2 client (@influxdata/influxdb-client), the way
// Telegraf-era clients do: POST /api/v2/write, Authorization: Token, gzip
// when asked, a chosen timestamp precision.
//
// Where it sits: the client end of streamstat's HTTP path, for the TAP tests
// and benchmarks.  Exit status 0 only when every batch was acknowledged
// (204); otherwise it prints what the client received (status, headers,
// body) and exits 1.  No retries: a failure is reported, not hidden.
//
// Every point: <measurement>,src=node,batch=<k> i=<n>i,f=<n/2>,s="s<n>",b=<even>
// at timestamp start + n * step (in the chosen precision), so a test can
// recompute exactly what must be in the table.
//
// Usage:
//   node write_points.js --url http://127.0.0.1:8086 --token sst_... \
//     [--org streamstat] [--bucket public] [--count 1000] [--batch 1000] \
//     [--precision ns|us|ms|s] [--gzip on|off] [--measurement node_points] \
//     [--start <integer in precision units>] [--step 1] [--timeout 30000]
'use strict';

const {InfluxDB, Point, HttpError, setLogger} = require('@influxdata/influxdb-client');

// The client logs every failure itself; this script reports them once.
setLogger({error() {}, warn() {}});

// Parse --name value pairs into an object, refusing unknown names.
function parseArgs(argv) {
  const defaults = {
    url: 'http://127.0.0.1:8086',
    token: '',
    org: 'streamstat',
    bucket: 'public',
    count: '1000',
    batch: '1000',
    precision: 'ns',
    gzip: 'off',
    measurement: 'node_points',
    start: '',
    step: '1',
    timeout: '30000',
  };
  const args = {...defaults};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in defaults) || i + 1 >= argv.length) {
      throw new Error(`unknown or incomplete option ${argv[i]}`);
    }
    args[name] = argv[i + 1];
  }
  if (!['ns', 'us', 'ms', 's'].includes(args.precision)) {
    throw new Error(`precision must be ns, us, ms or s, not ${args.precision}`);
  }
  if (!['on', 'off'].includes(args.gzip)) {
    throw new Error(`gzip must be on or off, not ${args.gzip}`);
  }
  return args;
}

// The current time as an integer count of precision units (a BigInt).
function nowIn(precision) {
  const ns = BigInt(Date.now()) * 1000000n;
  const div = {ns: 1n, us: 1000n, ms: 1000000n, s: 1000000000n}[precision];
  return ns / div;
}

// Describe a client error: status, headers and body when it is an HttpError.
function describe(error) {
  if (error instanceof HttpError) {
    return JSON.stringify({
      status: error.statusCode,
      statusMessage: error.statusMessage,
      retryAfter: error.headers ? error.headers['retry-after'] : undefined,
      headers: error.headers,
      body: error.body,
    });
  }
  return JSON.stringify({error: String(error && error.message || error)});
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const count = Number(args.count);
  const batch = Number(args.batch);
  const start = args.start === '' ? nowIn(args.precision) : BigInt(args.start);
  const step = BigInt(args.step);

  const client = new InfluxDB({
    url: args.url,
    token: args.token,
    timeout: Number(args.timeout),
  });
  const writeApi = client.getWriteApi(args.org, args.bucket, args.precision, {
    // one request per --batch points, sent by the explicit flush below and
    // awaited, so requests go one after another and stop at a failure
    batchSize: batch + 1,
    flushInterval: 0,
    maxRetries: 0,
    maxBufferLines: count + batch,
    // gzip every body when on; never when off
    gzipThreshold: args.gzip === 'on' ? 0 : undefined,
    // make the flush fail with the server's answer instead of dropping it
    writeFailed(error, lines) {
      process.stderr.write(`write of ${lines.length} lines failed\n`);
      return Promise.reject(error);
    },
  });

  const begin = Date.now();
  let failed = null;
  for (let n = 0; n < count && !failed; n++) {
    const point = new Point(args.measurement)
      .tag('src', 'node')
      .tag('batch', String(Math.floor(n / batch)))
      .intField('i', n)
      .floatField('f', n / 2)
      .stringField('s', `s${n}`)
      .booleanField('b', n % 2 === 0)
      .timestamp((start + BigInt(n) * step).toString());
    writeApi.writePoint(point);
    if ((n + 1) % batch === 0) {
      await writeApi.flush().catch((e) => { failed = e; });
    }
  }
  await writeApi.close().catch((e) => { failed = failed || e; });

  if (failed) {
    process.stdout.write(`${describe(failed)}\n`);
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({
    written: count,
    requests: Math.ceil(count / batch),
    precision: args.precision,
    gzip: args.gzip,
    start: start.toString(),
    ms: Date.now() - begin,
  }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${describe(e)}\n`);
  process.exit(2);
});
