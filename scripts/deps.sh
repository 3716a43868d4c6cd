#!/usr/bin/env bash
# Installs what hearth needs to build and test on Debian 12, when it is missing.
set -euo pipefail
packages=(cmake ninja-build g++ libboost1.81-dev libboost-json1.81-dev libsqlitecpp-dev
          libsqlite3-dev catch2 libssl-dev
          python3-websockets)  # the tests' second WebSocket client, one that is not ours
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "hearth: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
