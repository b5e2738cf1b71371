#!/usr/bin/env bash
# Compiles and lints infra/bicep/main.bicep (and the modules it uses) with the real Bicep CLI.
# Fails on any error AND on any warning, linter or compiler (an unknown resource API version
# is only a warning, BCP081, and must not pass).
#
# The CLI comes from NuGet (Azure.Bicep.CommandLine.linux-x64), restored with `dotnet restore`
# of a generated one-line project into the git-ignored .bicep/: no download outside the
# package registry, and a second run reuses it.
#
#   bash scripts/bicep-build.sh          restore if needed, build, lint
#   bash scripts/bicep-build.sh --path   restore if needed, print the bicep binary's path
#
# BICEP_VERSION overrides the pinned CLI version.
set -euo pipefail

BICEP_VERSION="${BICEP_VERSION:-0.49.2}"
PACKAGE_ID="Azure.Bicep.CommandLine.linux-x64"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.bicep"
bicep="$cache/packages/$(echo "$PACKAGE_ID" | tr '[:upper:]' '[:lower:]')/$BICEP_VERSION/tools/bicep"
template="$root/infra/bicep/main.bicep"

log() { echo "bicep-build: $*" >&2; }

restore() {
  [ -x "$bicep" ] && return 0
  command -v dotnet >/dev/null 2>&1 || { log "dotnet SDK not found: it is needed to restore $PACKAGE_ID from NuGet"; exit 1; }
  mkdir -p "$cache"
  # Test files run in parallel and may both ask for the CLI: one restore at a time.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$cache/restore.lock"
    flock 9
    [ -x "$bicep" ] && return 0
  fi
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  # The project only carries a PackageDownload, but restore still wants a target framework
  # the installed SDK knows: use the SDK's own, so no targeting pack is downloaded.
  local sdk_major
  sdk_major="$(dotnet --version | cut -d. -f1)"
  mkdir -p "$cache/restore"
  cat >"$cache/restore/bicep-restore.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net${sdk_major}.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="$PACKAGE_ID" Version="[$BICEP_VERSION]" />
  </ItemGroup>
</Project>
EOF
  log "restoring $PACKAGE_ID $BICEP_VERSION into .bicep/"
  dotnet restore "$cache/restore/bicep-restore.csproj" --packages "$cache/packages" --verbosity quiet >&2
  [ -f "$bicep" ] || { log "restore finished but $bicep is missing"; exit 1; }
  chmod +x "$bicep"
}

restore

if [ "${1:-}" = "--path" ]; then
  echo "$bicep"
  exit 0
fi

# Runs one bicep command; fails on a non-zero exit or on any diagnostic it prints. Bicep prints
# diagnostics on stderr; `build --stdout` prints the ARM template on stdout, which is dropped.
check() {
  local what="$1"
  shift
  local out status=0
  if [ "$what" = "build" ]; then
    out="$("$bicep" "$@" 2>&1 >/dev/null)" || status=$?
  else
    out="$("$bicep" "$@" 2>&1)" || status=$?
  fi
  if [ -n "$out" ]; then
    echo "$out" >&2
  fi
  if [ "$status" -ne 0 ] || grep -Eq ': (Error|Warning|Info) ' <<<"$out"; then
    log "$what found problems (exit $status)"
    return 1
  fi
}

cd "$root"
failed=0
check build build "$template" --stdout || failed=1
check lint lint "$template" || failed=1
if [ "$failed" -ne 0 ]; then
  exit 1
fi
log "ok: $("$bicep" --version | head -n 1): infra/bicep/main.bicep builds and lints with no diagnostics"
