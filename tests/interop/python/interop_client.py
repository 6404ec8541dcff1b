#!/usr/bin/python3
"""Interop client for the SemanticRouter gRPC service (Python, grpcio).

Runs one case per RPC and per bad input against a running server, named like the gRPC interop
cases, and prints `PASS name` / `FAIL name: why` lines and a closing `N passed, N failed` line.
Stubs are generated at run time from protos/ into a temporary directory with grpc_tools.protoc.

    /usr/bin/python3 tests/interop/python/interop_client.py --address 127.0.0.1:50051 \
        [--api-key KEY] [--corrupt-index DIR]

Needs Debian's python3-grpcio and python3-grpc-tools (apt-get install python3-grpcio python3-grpc-tools).
"""
import argparse
import importlib
import os
import sys
import tempfile
import time

try:
    import grpc
    from grpc_tools import protoc
except ImportError as error:  # pragma: no cover - environment check
    sys.stderr.write(f"interop_client.py: {error}; install with: apt-get install python3-grpcio python3-grpc-tools\n")
    sys.exit(3)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
PROTO_ROOTS = [os.path.join(REPO, "protos"), os.path.join(REPO, "tests", "interop", "protos")]
# The standard health and reflection protos sit under grpc_std/ (not grpc/) so that the generated
# Python modules do not shadow the grpcio package; their proto packages are the standard ones.
PROTOS = ["semantic_router/v1/router.proto", "grpc_std/health.proto", "grpc_std/reflection.proto"]


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True, help="host:port of the gRPC endpoint (h2c)")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--corrupt-index", default=None, help="a directory holding a corrupt index artefact")
    args = parser.parse_args()

    out_dir = tempfile.mkdtemp(prefix="semantic-router-interop-")
    import grpc_tools
    include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    protoc_args = ["protoc", f"-I{include}"] + [f"-I{root}" for root in PROTO_ROOTS]
    protoc_args += [f"--python_out={out_dir}", f"--grpc_python_out={out_dir}"] + PROTOS
    expect(protoc.main(protoc_args) == 0, "protoc failed")
    sys.path.insert(0, out_dir)
    pb = importlib.import_module("semantic_router.v1.router_pb2")
    pb_grpc = importlib.import_module("semantic_router.v1.router_pb2_grpc")
    health_pb = importlib.import_module("grpc_std.health_pb2")
    health_grpc = importlib.import_module("grpc_std.health_pb2_grpc")
    refl_pb = importlib.import_module("grpc_std.reflection_pb2")
    refl_grpc = importlib.import_module("grpc_std.reflection_pb2_grpc")

    channel = grpc.insecure_channel(args.address, options=[("grpc.max_send_message_length", 64 * 1024 * 1024)])
    grpc.channel_ready_future(channel).result(timeout=20)
    stub = pb_grpc.RouterStub(channel)
    auth = [("authorization", f"Bearer {args.api_key}")] if args.api_key else []
    timeout = 20

    state = {}
    results = []

    def good_call():
        routes = stub.ListRoutes(pb.ListRoutesRequest(), metadata=auth, timeout=timeout)
        expect(len(routes.routes) > 0, "no routes")
        reply = stub.RankModels(pb.RankModelsRequest(query=state["query"]), metadata=auth, timeout=timeout)
        expect(len(reply.models) > 0 and reply.request_id, "good call after the error did not rank")
        return reply

    def expect_status(call, code, contains=None):
        try:
            call()
        except grpc.RpcError as error:
            expect(error.code() == code, f"expected {code.name}, got {error.code().name}: {error.details()}")
            if contains is not None:
                expect(contains in (error.details() or ""), f"message {error.details()!r} lacks {contains!r}")
            good_call()
            return error
        raise Failure(f"expected {code.name}, got OK")

    def case(name):
        def register(fn):
            results.append((name, fn))
            return fn
        return register

    @case("list_routes")
    def _():
        reply = stub.ListRoutes(pb.ListRoutesRequest(), metadata=auth, timeout=timeout)
        expect(len(reply.routes) > 0, "no routes")
        route = reply.routes[0]
        expect(len(route.models) > 0, f"route {route.name} names no models")
        state["route"] = route.name
        state["models"] = sorted({m for r in reply.routes for m in r.models})
        state["index_version"] = reply.index_version
        state["query"] = "write a python function that sorts a list"

    @case("rank_models")
    def _():
        reply = stub.RankModels(pb.RankModelsRequest(query=state["query"]), metadata=auth, timeout=timeout)
        expect(reply.request_id, "no request id")
        expect(len(reply.models) > 0, "no models")
        scores = [m.score for m in reply.models]
        expect(scores == sorted(scores, reverse=True), f"not sorted: {scores}")
        expect(reply.index_version, "no index version")
        state["request_id"] = reply.request_id
        state["best"] = reply.models[0].model

    @case("rank_models_with_options")
    def _():
        request = pb.RankModelsRequest(query="and in python?", k=3, candidates=state["models"], cost_weight=0.1,
                                       include_neighbors=True, metadata={"client": "python-interop"})
        request.history.add(role="user", text="how do I sort a list")
        reply = stub.RankModels(request, metadata=auth, timeout=timeout)
        expect(0 < len(reply.neighbors) <= 3, f"{len(reply.neighbors)} neighbours for k=3")
        expect(all(m.model in state["models"] for m in reply.models), "a model outside the candidates")

    @case("rank_models_gzip_request")
    def _():
        reply = stub.RankModels(pb.RankModelsRequest(query=state["query"] + " " + "x" * 4000), metadata=auth,
                                timeout=timeout, compression=grpc.Compression.Gzip)
        expect(len(reply.models) > 0, "no models")

    @case("record_outcome_by_request_id")
    def _():
        reply = stub.RecordOutcome(pb.RecordOutcomeRequest(request_id=state["request_id"], model=state["best"], success=True),
                                   metadata=auth, timeout=timeout)
        expect(reply.durable, "not durable")

    @case("record_outcome_by_query")
    def _():
        reply = stub.RecordOutcome(pb.RecordOutcomeRequest(query=state["query"], model=state["best"], score=0.75),
                                   metadata=auth, timeout=timeout)
        expect(reply.durable, "not durable")

    @case("inspect_neighbors")
    def _():
        reply = stub.InspectNeighbors(pb.InspectNeighborsRequest(query=state["query"], k=2), metadata=auth, timeout=timeout)
        expect(0 < len(reply.neighbors) <= 2, f"{len(reply.neighbors)} neighbours")
        expect(reply.neighbors[0].route, "neighbour without route")
        state["existing"] = (reply.neighbors[0].route, reply.neighbors[0].utterance)

    @case("add_utterances")
    def _():
        text = f"python interop utterance {time.time_ns()}"
        reply = stub.AddUtterances(pb.AddUtterancesRequest(route=state["route"], utterances=[text]), metadata=auth, timeout=timeout)
        expect(reply.added == 1, f"added {reply.added}")

    @case("reload_index")
    def _():
        reply = stub.ReloadIndex(pb.ReloadIndexRequest(), metadata=auth, timeout=timeout)
        expect(reply.index_version, "no index version")
        state["index_version"] = reply.index_version

    @case("health_check")
    def _():
        reply = health_grpc.HealthStub(channel).Check(health_pb.HealthCheckRequest(), timeout=timeout)
        expect(reply.status == health_pb.HealthCheckResponse.SERVING, f"status {reply.status}")

    @case("reflection_list_services")
    def _():
        responses = refl_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
            iter([refl_pb.ServerReflectionRequest(list_services="")]), timeout=timeout)
        names = [s.name for r in responses for s in r.list_services_response.service]
        expect("semantic_router.v1.Router" in names, f"services: {names}")

    R = pb.RankModelsRequest
    ia = grpc.StatusCode.INVALID_ARGUMENT

    @case("empty_query")
    def _():
        expect_status(lambda: stub.RankModels(R(query=""), metadata=auth, timeout=timeout), ia, "query must not be empty")

    @case("whitespace_query")
    def _():
        expect_status(lambda: stub.RankModels(R(query=" \t\n "), metadata=auth, timeout=timeout), ia, "query must not be empty")

    @case("oversize_query")
    def _():
        expect_status(lambda: stub.RankModels(R(query="a" * (16 * 1024 + 1)), metadata=auth, timeout=timeout), ia, "the limit is")

    @case("message_over_limit")
    def _():
        expect_status(lambda: stub.RankModels(R(query="a" * (2 * 1024 * 1024)), metadata=auth, timeout=timeout),
                      grpc.StatusCode.RESOURCE_EXHAUSTED)

    @case("malformed_protobuf")
    def _():
        raw = channel.unary_unary("/semantic_router.v1.Router/RankModels", request_serializer=None, response_deserializer=None)
        expect_status(lambda: raw(b"\xff\xff\xff\xff\xff\xff", metadata=auth, timeout=timeout), ia, "not a valid")

    @case("unknown_method")
    def _():
        raw = channel.unary_unary("/semantic_router.v1.Router/NoSuchMethod", request_serializer=None, response_deserializer=None)
        expect_status(lambda: raw(b"", metadata=auth, timeout=timeout), grpc.StatusCode.UNIMPLEMENTED)

    @case("unknown_service")
    def _():
        raw = channel.unary_unary("/no.such.v1.Service/Call", request_serializer=None, response_deserializer=None)
        expect_status(lambda: raw(b"", metadata=auth, timeout=timeout), grpc.StatusCode.UNIMPLEMENTED)

    @case("expired_deadline")
    def _():
        expect_status(lambda: stub.RankModels(R(query=state["query"]), metadata=auth, timeout=-1),  # already expired
                      grpc.StatusCode.DEADLINE_EXCEEDED)

    @case("missing_api_key")
    def _():
        if not args.api_key:
            return "skipped: server has no API key"
        expect_status(lambda: stub.RankModels(R(query=state["query"]), timeout=timeout), grpc.StatusCode.UNAUTHENTICATED, "missing authorization")

    @case("wrong_api_key")
    def _():
        if not args.api_key:
            return "skipped: server has no API key"
        expect_status(lambda: stub.RankModels(R(query=state["query"]), metadata=[("authorization", "Bearer wrong-key")], timeout=timeout),
                      grpc.StatusCode.UNAUTHENTICATED, "invalid API key")

    @case("unknown_model_in_candidates")
    def _():
        expect_status(lambda: stub.RankModels(R(query=state["query"], candidates=["no-such-model-xyz"]), metadata=auth, timeout=timeout),
                      ia, "no-such-model-xyz")

    @case("unknown_model_in_excluded")
    def _():
        expect_status(lambda: stub.RankModels(R(query=state["query"], excluded=["no-such-model-xyz"]), metadata=auth, timeout=timeout),
                      ia, "no-such-model-xyz")

    @case("negative_k")
    def _():
        expect_status(lambda: stub.RankModels(R(query=state["query"], k=-1), metadata=auth, timeout=timeout), ia, "k must be")

    @case("huge_k")
    def _():
        expect_status(lambda: stub.RankModels(R(query=state["query"], k=2_000_000_000), metadata=auth, timeout=timeout), ia, "k must be at most")

    O = pb.RecordOutcomeRequest

    @case("outcome_unknown_request_id")
    def _():
        expect_status(lambda: stub.RecordOutcome(O(request_id="no-such-request", model=state["best"], success=True), metadata=auth, timeout=timeout),
                      grpc.StatusCode.NOT_FOUND, "no-such-request")

    @case("outcome_unknown_model")
    def _():
        expect_status(lambda: stub.RecordOutcome(O(request_id=state["request_id"], model="no-such-model-xyz", success=True), metadata=auth, timeout=timeout),
                      ia, "no-such-model-xyz")

    @case("outcome_score_out_of_range")
    def _():
        expect_status(lambda: stub.RecordOutcome(O(request_id=state["request_id"], model=state["best"], score=1.5), metadata=auth, timeout=timeout),
                      ia, "score must be in [0, 1]")

    @case("add_utterances_unknown_route")
    def _():
        expect_status(lambda: stub.AddUtterances(pb.AddUtterancesRequest(route="no-such-route-xyz", utterances=["hello"]), metadata=auth, timeout=timeout),
                      grpc.StatusCode.NOT_FOUND, "no-such-route-xyz")

    @case("add_utterances_duplicate")
    def _():
        route, utterance = state["existing"]
        expect_status(lambda: stub.AddUtterances(pb.AddUtterancesRequest(route=route, utterances=[utterance]), metadata=auth, timeout=timeout),
                      grpc.StatusCode.ALREADY_EXISTS)

    @case("reload_corrupt_artifact")
    def _():
        if not args.corrupt_index:
            return "skipped: no --corrupt-index"
        before = stub.ListRoutes(pb.ListRoutesRequest(), metadata=auth, timeout=timeout).index_version
        expect_status(lambda: stub.ReloadIndex(pb.ReloadIndexRequest(path=args.corrupt_index), metadata=auth, timeout=timeout),
                      grpc.StatusCode.FAILED_PRECONDITION)
        after = stub.RankModels(R(query=state["query"]), metadata=auth, timeout=timeout).index_version
        expect(after == before, f"index version changed from {before} to {after}")

    passed = failed = skipped = 0
    for name, fn in results:
        try:
            note = fn()
            if note:
                skipped += 1
                print(f"SKIP {name}: {note}")
            else:
                passed += 1
                print(f"PASS {name}")
        except Failure as error:
            failed += 1
            print(f"FAIL {name}: {error}")
        except grpc.RpcError as error:
            failed += 1
            print(f"FAIL {name}: {error.code().name}: {error.details()}")
        sys.stdout.flush()
    print(f"python: {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
