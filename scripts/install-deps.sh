#!/usr/bin/env bash
# Install the Debian packages rbprof-bpf needs to build, test and benchmark; only the
# missing ones, so a second run is quick and needs no network.
set -euo pipefail

PACKAGES=(
	make gcc libc6-dev pkg-config # the loader (libc6-dev: libc.a for the static TLS test)
	binutils                      # objcopy, readelf, strip: the separate debug file tests
	xz-utils                      # xz: the MiniDebugInfo stand-ins
	clang llvm                    # the BPF object
	bpftool                       # skeleton generation
	libbpf-dev libelf-dev zlib1g-dev
	libdw-dev                     # DWARF of Ruby builds without a table entry (elfutils)
	libcapstone-dev               # a disassembler: where a stripped Ruby keeps its VM, from its code
	liblzma-dev                   # MiniDebugInfo (.gnu_debugdata) is xz-compressed
	libdebuginfod-dev             # debug files by build id from debuginfod servers
	debuginfod                    # the tests' local debuginfod server (and debuginfod-find)
	iproute2                      # ip: loopback up in the test's own network namespace
	musl-tools                    # musl-gcc: the TLS tests' stand-ins for Alpine's Rubies
	ruby                          # Debian's Ruby 3.1: the end-to-end tests' target and harness
	ruby-stackprof                # the in-process profiler the accuracy test and make bench compare with
	ruby-rails ruby-sqlite3 puma  # the e2e tests' Rails application, served by puma
	bpftrace                      # make bench: a native-stack BPF profiler, the floor of a BPF sampler's cost
	util-linux                    # setpriv and unshare, used by the error-case tests
	procps                        # ps, pkill in the scripts
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
