// 社会组织 volunteer system: a second Apollo Federation v2 subgraph that adds volunteer data
// to the hub's Person entity. Test fixture only; all data is in memory.
//
// Usage: node volunteer-subgraph.mjs --port PORT [--people FILE]
//   PORT 0 picks a free port. The people file (or env VOLUNTEER_PEOPLE_FILE) is JSON, either
//   {"<hub person id>": {"hours": 12, "teams": ["…"]}, …} or a list of hub person ids, in which
//   case id i gets record i % n of the sample records in volunteers.json.
//   Unknown ids resolve to 0 hours and no teams.
// Prints "READY <port>" on stdout once listening.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.VOLUNTEER_PORT ?? '0' },
    host: { type: 'string', default: '127.0.0.1' },
    people: { type: 'string', default: process.env.VOLUNTEER_PEOPLE_FILE ?? '' },
  },
});

const sample = JSON.parse(readFileSync(new URL('./volunteers.json', import.meta.url), 'utf8'));

function loadPeople(path) {
  const people = new Map();
  if (!path) return people;
  const data = JSON.parse(readFileSync(path, 'utf8'));
  if (Array.isArray(data)) {
    data.forEach((id, i) => people.set(String(id), sample.records[i % sample.records.length]));
  } else if (data && typeof data === 'object') {
    for (const [id, record] of Object.entries(data)) {
      people.set(id, { hours: record.hours ?? 0, teams: record.teams ?? [] });
    }
  } else {
    throw new Error(`${path}: expected a JSON object or list of person ids`);
  }
  return people;
}

const people = loadPeople(values.people);
const allTeams = [...new Set([...sample.teams, ...[...people.values()].flatMap((r) => r.teams)])];

const typeDefs = parse(`#graphql
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type Person @key(fields: "id") {
    id: ID!
    "累计志愿服务时长（小时）"
    volunteerHours: Int
    "所属志愿服务队"
    volunteerTeams: [String!]!
  }

  type Query {
    "全部志愿服务队"
    volunteerTeams: [String!]!
    "全部志愿者（本系统记录的居民，按载入顺序）：其余字段由枢纽经 _entities 补全"
    volunteers: [Person!]!
  }
`);

// Only warnings and errors, and on stderr: stdout carries nothing but the READY line.
const quietLogger = {
  debug: () => {},
  info: () => {},
  warn: (...args) => console.error(...args),
  error: (...args) => console.error(...args),
};

const lookup = (id) => people.get(String(id)) ?? { hours: 0, teams: [] };

const resolvers = {
  Query: {
    volunteerTeams: () => allTeams,
    volunteers: () => [...people.keys()].map((id) => ({ id })),
  },
  Person: {
    __resolveReference: (ref) => ({ id: ref.id }),
    volunteerHours: (person) => lookup(person.id).hours,
    volunteerTeams: (person) => lookup(person.id).teams,
  },
};

const server = new ApolloServer({
  schema: buildSubgraphSchema({ typeDefs, resolvers }),
  plugins: [ApolloServerPluginInlineTraceDisabled()],
  logger: quietLogger,
});

try {
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(values.port), host: values.host },
  });
  console.log(`READY ${new URL(url).port}`);
} catch (err) {
  console.error(`volunteer subgraph failed to start: ${err?.stack ?? err}`);
  process.exit(1);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.stop().finally(() => process.exit(0));
  });
}
