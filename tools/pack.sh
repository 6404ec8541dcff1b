#!/usr/bin/env bash
# Packs the NuGet packages and the `semantic-router` dotnet tool into artifacts/packages:
#   tools/pack.sh [extra dotnet pack arguments, e.g. --version-suffix preview.1 or -p:RepositoryUrl=URL]
# The projects of tools/packages.slnf: SemanticRouter.Abstractions, .Client, .SemanticKernel and .Core
# (each with its symbols, .snupkg) and SemanticRouter.Cli (the tool). tests/package-consumer/run.sh
# then installs them from there and checks them.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

out=artifacts/packages
rm -rf "$out"
# ContinuousIntegrationBuild: deterministic source paths in the symbols, as a release build should have.
dotnet pack tools/packages.slnf -c Release -o "$out" -warnaserror -p:ContinuousIntegrationBuild=true --nologo -v quiet "$@"
ls -1 "$out"
