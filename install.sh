#!/usr/bin/env bash
# One command for a fresh Debian or Ubuntu machine: installs the system packages the labs use,
# installs and builds course, puts `course` on your PATH, and starts the course.
# Extra arguments go to `course start` (e.g. `./install.sh lesson-3`).
set -euo pipefail
cd "$(dirname "$0")"

packages=(iproute2 iptables iputils-ping tcpdump ethtool bridge-utils net-tools uidmap
  python3 openssh-server openssh-client procps psmisc ruby tmux sudo)

# For the test suite (`npm test`; a learner needs none of them, and may skip them with
# COURSE_NO_TEST_PACKAGES=1): the browser tests of `course serve` drive Debian's Chromium
# with playwright-core (test/web/); serve opens the browser with xdg-open (xdg-utils); the real
# Vagrant VM test builds a Debian 12 box offline and boots it with vagrant-libvirt under QEMU
# (test/vm/, scripts/build-vagrant-box.sh).
test_packages=(chromium xdg-utils vagrant vagrant-libvirt libvirt-daemon-system libvirt-daemon-driver-qemu
  qemu-system-x86 qemu-utils dnsmasq-base mmdebstrap fdisk)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "course: installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The test suite's packages, without their recommends (libvirt's would define a default
# network that changes the host at every start).
wanted=()
[ "${COURSE_NO_TEST_PACKAGES:-}" = 1 ] || wanted+=("${test_packages[@]}")
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "course: installing the test suite's packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  echo "course: needs Node.js 20.19 or later (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "Install it from https://nodejs.org or your distribution, then run ./install.sh again." >&2
  exit 2
fi

npm ci --no-audit --no-fund --loglevel=error
npm run build --silent

# Put `course` on PATH: globally as root, else in ~/.local/bin.
if [ "$(id -u)" -eq 0 ]; then
  npm link --no-audit --no-fund --loglevel=error >/dev/null
else
  mkdir -p "$HOME/.local/bin"
  ln -sf "$PWD/dist/bin.js" "$HOME/.local/bin/course"
  case ":$PATH:" in *":$HOME/.local/bin:"*) ;; *) echo "course: add ~/.local/bin to your PATH";; esac
fi
chmod +x dist/bin.js

exec node dist/bin.js start "$@"
