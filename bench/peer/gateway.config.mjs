// Hive Gateway over the composed supergraph. PEER_RESPONSE_CACHE=1 turns on its response
// caching plugin (whole answers in memory, per gateway process, for everyone alike: there
// are no sessions here), kept as long as the hub keeps its answers (30 s).
//
//   SUPERGRAPH=supergraph.graphql npx hive-gateway supergraph -c gateway.config.mjs --fork 2
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  supergraph: process.env.SUPERGRAPH || 'supergraph.graphql',
  logging: 'error',
  // a department call that fails (a connection the department closed, say) is tried again,
  // as the hub's connectors retry theirs
  upstreamRetry: { maxRetries: 2, retryDelay: 100 },
  responseCaching: process.env.PEER_RESPONSE_CACHE === '1'
    ? { session: () => null, ttl: 30_000 }
    : undefined,
});
