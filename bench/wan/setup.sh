#!/usr/bin/env bash
# The bench's WAN delay (bench/wan/namespace.ts): iptables for the
# NFQUEUE rule and libnetfilter_queue for the delay process, which is compiled here into
# bench/wan/build/ (git-ignored). Run as root (the bench needs root for its network namespace
# anyway); does nothing that is already done.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
missing=()
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
[ -f /usr/include/libnetfilter_queue/libnetfilter_queue.h ] || missing+=(libnetfilter-queue-dev)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bench WAN setup: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
fi
mkdir -p "$here/build"
if [ ! -x "$here/build/nfq-delay" ] || [ "$here/nfq-delay.c" -nt "$here/build/nfq-delay" ]; then
  gcc -O2 -Wall -Wextra -Werror -o "$here/build/nfq-delay" "$here/nfq-delay.c" -lnetfilter_queue
fi
echo "$here/build/nfq-delay"
