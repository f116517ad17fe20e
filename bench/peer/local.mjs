// The demo departments that have no HTTP interface, as one small GraphQL subgraph for the
// gateway: the police population registry (SQLite, read-only) and the property and hotline
// file exports (CSV, read once at start, as a long-running script keeps them). Records are
// asked for by their keys; nothing is linked, checked or logged.
//
//   DEMO_DIR=<data dir>/demo PORT=4100 node local.mjs
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { createSchema, createYoga } from 'graphql-yoga';

const demo = process.env.DEMO_DIR;
const police = new Database(join(demo, 'police.sqlite'), { readonly: true });

// GraphQL type -> where its records are and which column is the key; every column a String.
const SQL = {
  Resident: { table: 'residents', key: 'person_no', field: 'residents' },
  GateEvent: { table: 'gate_events', key: 'event_no', field: 'gateEvents' },
};
const FILES = {
  Room: { file: 'property/rooms.csv', key: 'room_id', field: 'rooms' },
  RepairOrder: { file: 'property/repair_orders.csv', key: 'order_no', field: 'repairOrders' },
  WorkOrder: { file: 'hotline/work_orders.csv', key: 'order_no', field: 'workOrders' },
};

function sqlSource({ table, key }) {
  const columns = police.prepare(`SELECT name FROM pragma_table_info(?)`).all(table)
    .map((c) => c.name);
  const statements = new Map(); // one prepared statement per number of keys
  const rows = (keys) => {
    if (!statements.has(keys.length)) {
      const marks = keys.map(() => '?').join(',');
      statements.set(keys.length, police.prepare(`SELECT * FROM ${table} WHERE ${key} IN (${marks})`));
    }
    return keys.length ? statements.get(keys.length).all(keys) : [];
  };
  return { columns, rows };
}

function fileSource({ file, key }) {
  const records = parse(readFileSync(join(demo, file)), { bom: true, columns: true });
  const byKey = new Map(records.map((r) => [r[key], r]));
  return { columns: Object.keys(records[0]), rows: (keys) => keys.map((k) => byKey.get(k)).filter(Boolean) };
}

const sources = {
  ...Object.fromEntries(Object.entries(SQL).map(([type, s]) => [type, { ...s, ...sqlSource(s) }])),
  ...Object.fromEntries(Object.entries(FILES).map(([type, s]) => [type, { ...s, ...fileSource(s) }])),
};

const typeDefs = [
  `type Query {\n${Object.entries(sources)
    .map(([type, s]) => `  ${s.field}(ids: [String!]!): [${type}!]!`).join('\n')}\n}`,
  ...Object.entries(sources).map(([type, s]) =>
    `type ${type} {\n${s.columns.map((c) => `  ${c}: String`).join('\n')}\n}`),
].join('\n\n');

const Query = Object.fromEntries(
  Object.values(sources).map((s) => [s.field, (_, { ids }) => s.rows(ids)]),
);

const yoga = createYoga({ schema: createSchema({ typeDefs, resolvers: { Query } }), logging: 'error' });
createServer(yoga).listen(Number(process.env.PORT || 4100), '127.0.0.1');
