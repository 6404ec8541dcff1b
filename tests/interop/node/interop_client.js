#!/usr/bin/env node
// Interop client for the SemanticRouter gRPC service (Node, @grpc/grpc-js + @grpc/proto-loader).
// Loads the .proto files at run time, runs one case per RPC and per bad input, named like the gRPC
// interop cases, and prints `PASS name` / `FAIL name: why` lines and `N passed, N failed`.
//
//   npm ci --prefix tests/interop/node
//   node tests/interop/node/interop_client.js --address 127.0.0.1:50051 [--api-key KEY] [--corrupt-index DIR]
'use strict';

const path = require('path');
let grpc;
let protoLoader;
try {
  grpc = require('@grpc/grpc-js');
  protoLoader = require('@grpc/proto-loader');
} catch (error) {
  process.stderr.write(`interop_client.js: ${error.message}; run: npm ci --prefix ${__dirname}\n`);
  process.exit(3);
}

const REPO = path.resolve(__dirname, '..', '..', '..');
const args = parseArgs(process.argv.slice(2));
if (!args.address) {
  process.stderr.write('usage: interop_client.js --address HOST:PORT [--api-key KEY] [--corrupt-index DIR]\n');
  process.exit(2);
}

const definition = protoLoader.loadSync(
  ['semantic_router/v1/router.proto', 'grpc_std/health.proto', 'grpc_std/reflection.proto'],
  { includeDirs: [path.join(REPO, 'protos'), path.join(REPO, 'tests', 'interop', 'protos')], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true },
);
const loaded = grpc.loadPackageDefinition(definition);
const options = { 'grpc.max_send_message_length': 64 * 1024 * 1024 };
const router = new loaded.semantic_router.v1.Router(args.address, grpc.credentials.createInsecure(), options);
const gzipRouter = new loaded.semantic_router.v1.Router(args.address, grpc.credentials.createInsecure(),
  { ...options, 'grpc.default_compression_algorithm': 2 /* gzip */, 'grpc.enable_channelz': 0 });
const health = new loaded.grpc.health.v1.Health(args.address, grpc.credentials.createInsecure());
const reflection = new loaded.grpc.reflection.v1.ServerReflection(args.address, grpc.credentials.createInsecure());
const rawClient = new grpc.Client(args.address, grpc.credentials.createInsecure(), options);

const TIMEOUT_MS = 20000;
const deadline = (ms = TIMEOUT_MS) => new Date(Date.now() + ms);
const metadataWith = (value) => {
  const md = new grpc.Metadata();
  if (value) md.set('authorization', value);
  return md;
};
const auth = () => metadataWith(args['api-key'] ? `Bearer ${args['api-key']}` : null);

function call(client, method, request, md = auth(), ms = TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    client[method](request, md, { deadline: deadline(ms) }, (error, reply) => (error ? reject(error) : resolve(reply)));
  });
}

function rawCall(methodPath, bytes) {
  return new Promise((resolve, reject) => {
    rawClient.makeUnaryRequest(methodPath, (b) => b, (b) => b, bytes, auth(), { deadline: deadline() },
      (error, reply) => (error ? reject(error) : resolve(reply)));
  });
}

class Failure extends Error {}
const expect = (condition, message) => { if (!condition) throw new Failure(message); };
const codeName = (code) => Object.keys(grpc.status).find((k) => grpc.status[k] === code) || String(code);

const state = {};

async function goodCall() {
  const reply = await call(router, 'RankModels', { query: state.query });
  expect(reply.models.length > 0 && reply.request_id, 'good call after the error did not rank');
}

async function expectStatus(promiseFactory, code, contains) {
  let error;
  try {
    await promiseFactory();
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${codeName(code)}, got OK`);
  expect(error.code === code, `expected ${codeName(code)}, got ${codeName(error.code)}: ${error.details}`);
  if (contains) expect((error.details || '').includes(contains), `message ${JSON.stringify(error.details)} lacks ${JSON.stringify(contains)}`);
  await goodCall();
}

const S = grpc.status;
const cases = [
  ['list_routes', async () => {
    const reply = await call(router, 'ListRoutes', {});
    expect(reply.routes.length > 0, 'no routes');
    state.route = reply.routes[0].name;
    state.models = [...new Set(reply.routes.flatMap((r) => r.models))].sort();
    state.query = 'write a python function that sorts a list';
  }],
  ['rank_models', async () => {
    const reply = await call(router, 'RankModels', { query: state.query });
    expect(reply.request_id, 'no request id');
    expect(reply.models.length > 0, 'no models');
    const scores = reply.models.map((m) => m.score);
    expect(scores.every((s, i) => i === 0 || scores[i - 1] >= s), `not sorted: ${scores}`);
    expect(reply.index_version, 'no index version');
    state.requestId = reply.request_id;
    state.best = reply.models[0].model;
  }],
  ['rank_models_with_options', async () => {
    const reply = await call(router, 'RankModels', {
      query: 'and in python?', k: 3, candidates: state.models, cost_weight: 0.1, include_neighbors: true,
      metadata: { client: 'node-interop' }, history: [{ role: 'user', text: 'how do I sort a list' }],
    });
    expect(reply.neighbors.length > 0 && reply.neighbors.length <= 3, `${reply.neighbors.length} neighbours for k=3`);
    expect(reply.models.every((m) => state.models.includes(m.model)), 'a model outside the candidates');
  }],
  ['rank_models_gzip_request', async () => {
    const reply = await call(gzipRouter, 'RankModels', { query: `${state.query} ${'x'.repeat(4000)}` });
    expect(reply.models.length > 0, 'no models');
  }],
  ['record_outcome_by_request_id', async () => {
    const reply = await call(router, 'RecordOutcome', { request_id: state.requestId, model: state.best, success: true });
    expect(reply.durable, 'not durable');
  }],
  ['record_outcome_by_query', async () => {
    const reply = await call(router, 'RecordOutcome', { query: state.query, model: state.best, score: 0.75 });
    expect(reply.durable, 'not durable');
  }],
  ['inspect_neighbors', async () => {
    const reply = await call(router, 'InspectNeighbors', { query: state.query, k: 2 });
    expect(reply.neighbors.length > 0 && reply.neighbors.length <= 2, `${reply.neighbors.length} neighbours`);
    state.existing = [reply.neighbors[0].route, reply.neighbors[0].utterance];
  }],
  ['add_utterances', async () => {
    const reply = await call(router, 'AddUtterances', { route: state.route, utterances: [`node interop utterance ${process.hrtime.bigint()}`] });
    expect(reply.added === 1, `added ${reply.added}`);
  }],
  ['reload_index', async () => {
    const reply = await call(router, 'ReloadIndex', {});
    expect(reply.index_version, 'no index version');
  }],
  ['health_check', async () => {
    const reply = await call(health, 'Check', {}, new grpc.Metadata());
    expect(reply.status === 'SERVING', `status ${reply.status}`);
  }],
  ['reflection_list_services', async () => {
    const names = await new Promise((resolve, reject) => {
      const stream = reflection.ServerReflectionInfo({ deadline: deadline() });
      const found = [];
      stream.on('data', (r) => found.push(...((r.list_services_response || {}).service || []).map((s) => s.name)));
      stream.on('error', reject);
      stream.on('end', () => resolve(found));
      stream.write({ list_services: '' });
      stream.end();
    });
    expect(names.includes('semantic_router.v1.Router'), `services: ${names}`);
  }],
  ['empty_query', () => expectStatus(() => call(router, 'RankModels', { query: '' }), S.INVALID_ARGUMENT, 'query must not be empty')],
  ['whitespace_query', () => expectStatus(() => call(router, 'RankModels', { query: ' \t\n ' }), S.INVALID_ARGUMENT, 'query must not be empty')],
  ['oversize_query', () => expectStatus(() => call(router, 'RankModels', { query: 'a'.repeat(16 * 1024 + 1) }), S.INVALID_ARGUMENT, 'the limit is')],
  ['message_over_limit', () => expectStatus(() => call(router, 'RankModels', { query: 'a'.repeat(2 * 1024 * 1024) }), S.RESOURCE_EXHAUSTED)],
  ['malformed_protobuf', () => expectStatus(() => rawCall('/semantic_router.v1.Router/RankModels', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), S.INVALID_ARGUMENT, 'not a valid')],
  ['unknown_method', () => expectStatus(() => rawCall('/semantic_router.v1.Router/NoSuchMethod', Buffer.alloc(0)), S.UNIMPLEMENTED)],
  ['unknown_service', () => expectStatus(() => rawCall('/no.such.v1.Service/Call', Buffer.alloc(0)), S.UNIMPLEMENTED)],
  ['expired_deadline', () => expectStatus(() => call(router, 'RankModels', { query: state.query }, auth(), -1000), S.DEADLINE_EXCEEDED)],
  ['missing_api_key', () => (args['api-key']
    ? expectStatus(() => call(router, 'RankModels', { query: state.query }, new grpc.Metadata()), S.UNAUTHENTICATED, 'missing authorization')
    : 'skipped: server has no API key')],
  ['wrong_api_key', () => (args['api-key']
    ? expectStatus(() => call(router, 'RankModels', { query: state.query }, metadataWith('Bearer wrong-key')), S.UNAUTHENTICATED, 'invalid API key')
    : 'skipped: server has no API key')],
  ['unknown_model_in_candidates', () => expectStatus(() => call(router, 'RankModels', { query: state.query, candidates: ['no-such-model-xyz'] }), S.INVALID_ARGUMENT, 'no-such-model-xyz')],
  ['unknown_model_in_excluded', () => expectStatus(() => call(router, 'RankModels', { query: state.query, excluded: ['no-such-model-xyz'] }), S.INVALID_ARGUMENT, 'no-such-model-xyz')],
  ['negative_k', () => expectStatus(() => call(router, 'RankModels', { query: state.query, k: -1 }), S.INVALID_ARGUMENT, 'k must be')],
  ['huge_k', () => expectStatus(() => call(router, 'RankModels', { query: state.query, k: 2000000000 }), S.INVALID_ARGUMENT, 'k must be at most')],
  ['outcome_unknown_request_id', () => expectStatus(() => call(router, 'RecordOutcome', { request_id: 'no-such-request', model: state.best, success: true }), S.NOT_FOUND, 'no-such-request')],
  ['outcome_unknown_model', () => expectStatus(() => call(router, 'RecordOutcome', { request_id: state.requestId, model: 'no-such-model-xyz', success: true }), S.INVALID_ARGUMENT, 'no-such-model-xyz')],
  ['outcome_score_out_of_range', () => expectStatus(() => call(router, 'RecordOutcome', { request_id: state.requestId, model: state.best, score: 1.5 }), S.INVALID_ARGUMENT, 'score must be in [0, 1]')],
  ['add_utterances_unknown_route', () => expectStatus(() => call(router, 'AddUtterances', { route: 'no-such-route-xyz', utterances: ['hello'] }), S.NOT_FOUND, 'no-such-route-xyz')],
  ['add_utterances_duplicate', () => expectStatus(() => call(router, 'AddUtterances', { route: state.existing[0], utterances: [state.existing[1]] }), S.ALREADY_EXISTS)],
  ['reload_corrupt_artifact', async () => {
    if (!args['corrupt-index']) return 'skipped: no --corrupt-index';
    const before = (await call(router, 'ListRoutes', {})).index_version;
    await expectStatus(() => call(router, 'ReloadIndex', { path: args['corrupt-index'] }), S.FAILED_PRECONDITION);
    const after = (await call(router, 'RankModels', { query: state.query })).index_version;
    expect(after === before, `index version changed from ${before} to ${after}`);
    return undefined;
  }],
];

(async () => {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const [name, run] of cases) {
    try {
      const note = await run();
      if (typeof note === 'string') {
        skipped += 1;
        console.log(`SKIP ${name}: ${note}`);
      } else {
        passed += 1;
        console.log(`PASS ${name}`);
      }
    } catch (error) {
      failed += 1;
      const why = error instanceof Failure ? error.message : `${codeName(error.code)}: ${error.details || error.message}`;
      console.log(`FAIL ${name}: ${why}`);
    }
  }
  console.log(`node: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  for (const client of [router, gzipRouter, health, reflection, rawClient]) client.close();
  process.exit(failed === 0 ? 0 : 1);
})();

function parseArgs(argv) {
  const parsed = {};
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i].startsWith('--')) {
      parsed[argv[i].slice(2)] = argv[i + 1];
      i += 1;
    }
  }
  return parsed;
}
