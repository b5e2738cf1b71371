#!/usr/bin/env bash
# Installs everything the lab and the tests need on a fresh Debian machine (root), then builds.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v dovecot >/dev/null 2>&1 || need+=(dovecot-imapd)
command -v mbsync >/dev/null 2>&1 || need+=(isync)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The live dashboard's test drives a real headless browser over the DevTools protocol.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The package test checks the app's zip with Info-ZIP's own reader.
command -v unzip >/dev/null 2>&1 || need+=(unzip)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # The package's own service is not wanted: the lab starts its own Dovecots on free ports.
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
# The real Durable Task engine host of the lab (test/lab/durable-engine/host): the .NET SDK restores
# it from NuGet and builds it, once; later runs only compare timestamps.
engine=test/lab/durable-engine/host
if command -v dotnet >/dev/null 2>&1; then
  dll=$engine/bin/Debug/net10.0/MailmigDurableHost.dll
  if [ ! -f "$dll" ] || [ -n "$(find "$engine" -maxdepth 1 \( -name '*.cs' -o -name '*.csproj' \) -newer "$dll")" ]; then
    dotnet restore "$engine" -v q
    dotnet build "$engine" --no-restore -nologo -v q
  fi
else
  echo "setup: no dotnet here: the tests on the real Durable Task engine (test/functions/real-engine) will be skipped" >&2
fi
