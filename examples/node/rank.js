#!/usr/bin/env node
// Ask a SemanticRouter server which models should answer a prompt (and, with --record, report an outcome).
//
//   npm ci --prefix examples/node && node examples/node/rank.js "write a python function that sorts a list"
//   SEMANTIC_ROUTER_ADDRESS=127.0.0.1:50051 SEMANTIC_ROUTER_API_KEY=KEY node examples/node/rank.js "query"
//   node examples/node/rank.js --record "query"   # also reports that the top model succeeded
//
// Only --record writes: an outcome moves the router's success statistics, so report one only when the
// model really answered well.
'use strict';

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const args = process.argv.slice(2);
const record = args.includes('--record');
const query = args.filter((a) => a !== '--record').join(' ');
if (!query) {
  console.error('usage: node rank.js [--record] "query"');
  process.exit(2);
}

const address = process.env.SEMANTIC_ROUTER_ADDRESS || '127.0.0.1:50051';
const definition = protoLoader.loadSync('semantic_router/v1/router.proto', {
  includeDirs: [path.resolve(__dirname, '..', '..', 'protos')], keepCase: true, defaults: true, oneofs: true,
});
const { Router } = grpc.loadPackageDefinition(definition).semantic_router.v1;
const client = new Router(address, grpc.credentials.createInsecure());
const metadata = new grpc.Metadata();
if (process.env.SEMANTIC_ROUTER_API_KEY) metadata.set('authorization', `Bearer ${process.env.SEMANTIC_ROUTER_API_KEY}`);
const deadline = () => ({ deadline: new Date(Date.now() + 10000) });

client.RankModels({ query, include_neighbors: true }, metadata, deadline(), (error, reply) => {
  if (error) {
    console.error(`RankModels failed: ${error.code} ${error.details}`);
    process.exit(1);
  }
  const { match } = reply;
  console.log(`request ${reply.request_id} (index ${reply.index_version})`);
  console.log(`route: ${match.route} (confidence ${match.confidence.toFixed(3)})${match.abstained ? `, abstained -> fallback ${match.fallback_route}` : ''}`);
  const width = Math.max(0, ...reply.models.map((m) => m.model.length));
  for (const m of reply.models) {
    const via = m.supporting_routes.length > 0 ? `  via ${m.supporting_routes.join(', ')}` : '';
    // What this call is expected to cost, once outcomes were recorded with their costs (unset before).
    const usd = m.expected_cost === 'expected_cost_usd' ? `  ~$${Number(m.expected_cost_usd.toPrecision(4))}/call` : '';
    console.log(`  ${m.model.padEnd(width)} ${m.score.toFixed(4).padStart(7)}${usd}${via}`);
  }
  for (const n of reply.neighbors.slice(0, 5)) console.log(`  ~ ${n.similarity.toFixed(3)} [${n.route}] ${n.utterance}`);
  if (reply.models.length === 0 || !record) {
    if (reply.models.length > 0) console.log(`not recorded: --record reports that ${reply.models[0].model} succeeded (it moves the router's statistics)`);
    client.close();
    return;
  }
  const model = reply.models[0].model;
  client.RecordOutcome({ request_id: reply.request_id, model, success: true }, metadata, deadline(), (err) => {
    if (err) console.error(`RecordOutcome failed: ${err.details}`);
    else console.log(`recorded: ${model} succeeded`);
    client.close();
  });
});
