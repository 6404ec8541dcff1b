#!/usr/bin/env bash
# Makes the two base images the Dockerfile needs out of Debian packages and this machine's .NET,
# for machines that cannot pull mcr.microsoft.com/dotnet/{sdk,aspnet}:10.0 (this one cannot):
#   localhost/semantic-router-base/sdk:<suite>-<sdk version>        the whole installed SDK
#   localhost/semantic-router-base/aspnet:<suite>-<runtime version> the .NET and ASP.NET Core runtimes only
# Each is a Debian root file system from mmdebstrap, imported with podman, with the same user
# (app, uid 1654) and environment the official images have, so the Dockerfile behaves the same on
# either. An image that already exists is kept (delete it to rebuild). Prints two lines:
#   SDK_IMAGE=…  RUNTIME_IMAGE=…
# Needs root, podman and mmdebstrap, and Debian's package mirror (the only network it uses).
#   tools/container-bases.sh                 # bookworm, the .NET under $(dirname $(readlink -f $(which dotnet)))
#   SUITE=trixie DOTNET_ROOT=/opt/dotnet tools/container-bases.sh
set -euo pipefail

suite=${SUITE:-bookworm}
dotnet_root=${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}
app_uid=1654 # the official images' APP_UID

# Newest installed SDK and runtimes (one of each is all the images need).
sdk_version=$(ls "$dotnet_root/sdk" | grep -E '^[0-9]+\.' | sort -V | tail -n1)
runtime_version=$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -n1)
[ -n "$sdk_version" ] && [ -n "$runtime_version" ] || { echo "container-bases: no SDK or ASP.NET Core runtime under $dotnet_root" >&2; exit 2; }
[ -d "$dotnet_root/shared/Microsoft.NETCore.App/$runtime_version" ] || { echo "container-bases: Microsoft.NETCore.App $runtime_version missing under $dotnet_root" >&2; exit 2; }

sdk_image=localhost/semantic-router-base/sdk:$suite-$sdk_version
runtime_image=localhost/semantic-router-base/aspnet:$suite-$runtime_version

# Docs, man pages and locales are not needed to run or build; leaving them out saves ~30 MB a base.
slim=(--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*'
      --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*'
      --dpkgopt='path-exclude=/usr/share/info/*')
user_hook="chroot \"\$1\" groupadd --gid=$app_uid app && chroot \"\$1\" useradd --no-log-init --uid=$app_uid --gid=$app_uid --create-home app"
common_env=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
            --change "ENV APP_UID=$app_uid"
            --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true'
            --change 'ENV DOTNET_ROOT=/usr/share/dotnet')

make_base() { # image packages dotnet-paths… (each copied to the same place under /usr/share/dotnet)
  local image=$1 packages=$2; shift 2
  if podman image exists "$image"; then
    return
  fi
  local hooks=(--customize-hook='mkdir -p "$1/usr/share/dotnet/shared"')
  local path
  for path in "$@"; do
    local rel=${path#"$dotnet_root"/}
    hooks+=(--customize-hook="mkdir -p \"\$1/usr/share/dotnet/$(dirname "$rel")\"")
    hooks+=(--customize-hook="copy-in $path /usr/share/dotnet/$(dirname "$rel")")
  done
  hooks+=(--customize-hook='chroot "$1" ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet')
  hooks+=(--customize-hook="$user_hook")
  local tar
  tar=$(mktemp --suffix=.tar)
  mmdebstrap --quiet --variant=apt --include="$packages" "${slim[@]}" "${hooks[@]}" "$suite" "$tar"
  podman import --quiet "${common_env[@]}" "${IMPORT_CHANGES[@]}" "$tar" "$image" >/dev/null
  rm -f "$tar"
}

# The ASP.NET runtime base: what the official aspnet image's Debian/Ubuntu package list holds, less
# libicu (the app sets InvariantGlobalization, so .NET never loads ICU).
IMPORT_CHANGES=(--change 'ENV ASPNETCORE_HTTP_PORTS=8080' --change "ENV DOTNET_VERSION=$runtime_version" --change "ENV ASPNET_VERSION=$runtime_version")
make_base "$runtime_image" ca-certificates,libc6,libgcc-s1,libssl3,libstdc++6,tzdata,zlib1g,passwd \
  "$dotnet_root/dotnet" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$dotnet_root/host" \
  "$dotnet_root/shared/Microsoft.NETCore.App/$runtime_version" "$dotnet_root/shared/Microsoft.AspNetCore.App/$runtime_version"

# The SDK base: the whole installation. MSBuild and NuGet run with ICU, as in the official SDK image.
IMPORT_CHANGES=(--change "ENV DOTNET_SDK_VERSION=$sdk_version" --change 'ENV DOTNET_NOLOGO=true' --change 'ENV DOTNET_CLI_TELEMETRY_OPTOUT=1'
                --change 'ENV DOTNET_GENERATE_ASPNET_CERTIFICATE=false' --change 'ENV NUGET_XMLDOC_MODE=skip')
case $suite in bookworm) icu=libicu72 ;; trixie) icu=libicu76 ;; *) icu=${ICU_PACKAGE:?set ICU_PACKAGE for suite $suite} ;; esac
make_base "$sdk_image" "ca-certificates,libc6,libgcc-s1,libssl3,libstdc++6,tzdata,zlib1g,$icu,passwd" \
  "$dotnet_root"/*

echo "SDK_IMAGE=$sdk_image RUNTIME_IMAGE=$runtime_image"
