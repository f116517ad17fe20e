// Apollo Gateway composing the hub and the volunteer subgraph (test fixture).
//
// Usage: node gateway.mjs --port PORT --hub URL --volunteer URL [--header "Name: value"]...
//   URLs default to env HUB_SUBGRAPH_URL and VOLUNTEER_SUBGRAPH_URL; PORT 0 picks a free port.
//   --header adds a static header to introspection and to every subgraph request (e.g. a
//   service token). Incoming Authorization, traceparent and X-* headers are forwarded to the
//   subgraphs on each request.
// Prints "READY <port>" on stdout once listening; exits 1 with the composition error on stderr
// when the subgraphs cannot be reached or do not compose.

import { parseArgs } from 'node:util';

import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.GATEWAY_PORT ?? '0' },
    host: { type: 'string', default: '127.0.0.1' },
    hub: { type: 'string', default: process.env.HUB_SUBGRAPH_URL ?? '' },
    volunteer: { type: 'string', default: process.env.VOLUNTEER_SUBGRAPH_URL ?? '' },
    header: { type: 'string', multiple: true, default: [] },
  },
});

function fail(message) {
  console.error(message);
  process.exit(1);
}

if (!values.hub || !values.volunteer) {
  fail('gateway: both --hub URL and --volunteer URL (or HUB_SUBGRAPH_URL, VOLUNTEER_SUBGRAPH_URL) are required');
}

const staticHeaders = {};
for (const header of values.header) {
  const colon = header.indexOf(':');
  if (colon <= 0) fail(`gateway: --header ${JSON.stringify(header)} is not "Name: value"`);
  staticHeaders[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
}

// Only warnings and errors, and on stderr: stdout carries nothing but the READY line.
const quietLogger = {
  debug: () => {},
  info: () => {},
  warn: (...args) => console.error(...args),
  error: (...args) => console.error(...args),
};

const forwarded = (name) => name === 'authorization' || name === 'traceparent' || name.startsWith('x-');

class ForwardingDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    for (const [name, value] of Object.entries(staticHeaders)) request.http.headers.set(name, value);
    for (const [name, value] of Object.entries(context?.headers ?? {})) {
      if (forwarded(name) && typeof value === 'string') request.http.headers.set(name, value);
    }
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: new IntrospectAndCompose({
    subgraphs: [
      { name: 'hub', url: values.hub },
      { name: 'volunteer', url: values.volunteer },
    ],
    introspectionHeaders: staticHeaders,
  }),
  buildService: ({ url }) => new ForwardingDataSource({ url }),
  logger: quietLogger,
});

const server = new ApolloServer({ gateway, logger: quietLogger });

try {
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(values.port), host: values.host },
    context: async ({ req }) => ({ headers: req.headers }),
  });
  console.log(`READY ${new URL(url).port}`);
} catch (err) {
  const causes = Array.isArray(err?.causes) ? err.causes.map((c) => `  - ${c.message ?? c}`) : [];
  fail([`gateway: composition or start-up failed: ${err?.message ?? err}`, ...causes].join('\n'));
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.stop().finally(() => process.exit(0));
  });
}
