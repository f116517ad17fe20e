// GraphQL Mesh composition of the demo departments for the gateway peer:
// civil affairs' and urban management's REST batch endpoints described by JSON Schema, and the
// subgraph of local.mjs (police SQL, property and hotline files).
//
//   CIVIL_URL=... URBAN_URL=... LOCAL_URL=... npx mesh-compose -o supergraph.graphql
import { defineConfig, loadGraphQLHTTPSubgraph } from '@graphql-mesh/compose-cli';
import { loadJSONSchemaSubgraph } from '@omnigraph/json-schema';

const text = { type: 'string' };
const nullableText = { type: ['string', 'null'] };

const careRecord = {
  title: 'CareRecord',
  type: 'object',
  properties: {
    record_id: text, name: text, id_number: text, address: text, community_code: text,
    care_level: text, living_alone: { type: 'boolean' }, subsidy_type: nullableText,
    subsidy_amount: { type: ['number', 'null'] }, disability_grade: nullableText, updated_at: text,
  },
};

const urbanCase = {
  title: 'UrbanCase',
  type: 'object',
  properties: {
    case_no: text, category: text, description: text, address: text, community_code: text,
    grid_code: text, status: text, reported_at: text, closed_at: nullableText,
    reporter_phone: nullableText, updated_at: text,
    timeline: {
      type: 'array',
      items: { title: 'CaseStep', type: 'object', properties: { at: text, action: text, by: text } },
    },
  },
};

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadJSONSchemaSubgraph('Civil', {
        endpoint: process.env.CIVIL_URL,
        operations: [{
          type: 'Query',
          field: 'careRecords',
          path: '/api/v1/care-records/batch-query',
          method: 'POST',
          requestSchema: {
            title: 'CareRecordKeys', type: 'object',
            properties: { ids: { type: 'array', items: text } }, required: ['ids'],
          },
          responseSchema: {
            title: 'CareRecordBatch', type: 'object',
            properties: { items: { type: 'array', items: careRecord } },
          },
        }],
      }),
    },
    {
      sourceHandler: loadJSONSchemaSubgraph('Urban', {
        endpoint: process.env.URBAN_URL,
        operations: [{
          type: 'Query',
          field: 'cases',
          path: '/api/cases/batch?ids={args.ids}',
          method: 'GET',
          argTypeMap: { ids: { type: 'string' } },
          responseSchema: {
            title: 'UrbanCaseBatch', type: 'object',
            properties: { data: { type: 'array', items: urbanCase } },
          },
        }],
      }),
    },
    { sourceHandler: loadGraphQLHTTPSubgraph('Local', { endpoint: process.env.LOCAL_URL }) },
  ],
});
