#!/usr/bin/env node
// questdb_send.js — send rows with the real QuestDB client
// (@questdb/nodejs-client), configured by one of its configuration strings
// (tcp::, tcps::, http::, https::, with its auth and TLS options).
//
// Where it sits: the client end of streamstat's line-protocol and HTTP
// paths in the security TAP tests.  Every row:
//   <table>,src=questdb i=<n>i,f=<n/2> at start + n ms
// Prints {"sent": N} and exits 0 when the client reports no error;
// otherwise prints the error and exits 1.  No retries.
//
// Usage: node questdb_send.js --conf 'tcps::addr=127.0.0.1:9009;username=k;token=d;tls_ca=ca.crt;'
//          [--table questdb_rows] [--count 100] [--start <ms since epoch>]
'use strict';

const {Sender} = require('@questdb/nodejs-client');

function parseArgs(argv) {
  const args = {conf: '', table: 'questdb_rows', count: '100', start: ''};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in args) || i + 1 >= argv.length) {
      throw new Error(`unknown or incomplete option ${argv[i]}`);
    }
    args[name] = argv[i + 1];
  }
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const count = Number(args.count);
  const start = args.start === '' ? Date.now() : Number(args.start);
  const sender = await Sender.fromConfig(args.conf, {log: () => {}});
  if (args.conf.startsWith('tcp')) {
    await sender.connect();
  }
  for (let n = 0; n < count; n++) {
    await sender.table(args.table)
      .symbol('src', 'questdb')
      .intColumn('i', n)
      .floatColumn('f', n / 2)
      .at(start + n, 'ms');
  }
  await sender.flush();
  await sender.close();
  process.stdout.write(JSON.stringify({sent: count}) + '\n');
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({error: String(e && e.message || e)}) + '\n');
  process.exit(1);
});
