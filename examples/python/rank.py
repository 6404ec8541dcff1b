#!/usr/bin/python3
"""Ask a SemanticRouter server which models should answer a prompt (and, with --record, report an outcome).

    /usr/bin/python3 examples/python/rank.py "write a python function that sorts a list"
    /usr/bin/python3 examples/python/rank.py --address 127.0.0.1:50051 --api-key KEY "query"
    /usr/bin/python3 examples/python/rank.py --record "query"   # also reports that the top model succeeded

Only --record writes: an outcome moves the router's success statistics, so report one only when the
model really answered well. Needs Debian's python3-grpcio and python3-grpc-tools (examples/install.sh);
stubs are generated from protos/ at run time.
"""
import argparse
import importlib
import os
import sys
import tempfile

import grpc
from grpc_tools import protoc
import grpc_tools

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def load_stubs():
    out = tempfile.mkdtemp(prefix="semantic-router-example-")
    include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    if protoc.main(["protoc", f"-I{include}", f"-I{os.path.join(REPO, 'protos')}",
                    f"--python_out={out}", f"--grpc_python_out={out}", "semantic_router/v1/router.proto"]) != 0:
        sys.exit("protoc failed")
    sys.path.insert(0, out)
    return importlib.import_module("semantic_router.v1.router_pb2"), importlib.import_module("semantic_router.v1.router_pb2_grpc")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("query")
    parser.add_argument("--address", default=os.environ.get("SEMANTIC_ROUTER_ADDRESS", "127.0.0.1:50051"))
    parser.add_argument("--api-key", default=os.environ.get("SEMANTIC_ROUTER_API_KEY"))
    parser.add_argument("--record", action="store_true",
                        help="report that the top model succeeded (RecordOutcome); it teaches the router, so only when true")
    args = parser.parse_args()

    pb, pb_grpc = load_stubs()
    metadata = [("authorization", f"Bearer {args.api_key}")] if args.api_key else []
    with grpc.insecure_channel(args.address) as channel:
        stub = pb_grpc.RouterStub(channel)
        try:
            reply = stub.RankModels(pb.RankModelsRequest(query=args.query, include_neighbors=True), metadata=metadata, timeout=10)
        except grpc.RpcError as error:
            sys.exit(f"RankModels failed: {error.code().name}: {error.details()}")
        match = reply.match
        print(f"request {reply.request_id} (index {reply.index_version})")
        print(f"route: {match.route} (confidence {match.confidence:.3f})" +
              (f", abstained -> fallback {match.fallback_route}" if match.abstained else ""))
        width = max((len(m.model) for m in reply.models), default=0)
        for model in reply.models:
            via = f"  via {', '.join(model.supporting_routes)}" if model.supporting_routes else ""
            # What this call is expected to cost, once outcomes were recorded with their costs (unset before).
            usd = f"  ~${model.expected_cost_usd:.4g}/call" if model.HasField("expected_cost_usd") else ""
            print(f"  {model.model:<{width}} {model.score:7.4f}{usd}{via}")
        for neighbor in reply.neighbors[:5]:
            print(f"  ~ {neighbor.similarity:.3f} [{neighbor.route}] {neighbor.utterance}")
        if reply.models and args.record:
            stub.RecordOutcome(pb.RecordOutcomeRequest(request_id=reply.request_id, model=reply.models[0].model, success=True),
                               metadata=metadata, timeout=10)
            print(f"recorded: {reply.models[0].model} succeeded")
        elif reply.models:
            print(f"not recorded: --record reports that {reply.models[0].model} succeeded (it moves the router's statistics)")


if __name__ == "__main__":
    main()
