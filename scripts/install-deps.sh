#!/usr/bin/env bash
# Install the Debian packages rbprof-bpf needs to build, test and benchmark; only the
# missing ones, so a second run is quick and needs no network.
set -euo pipefail

PACKAGES=(
	make gcc libc6-dev pkg-config # the loader (libc6-dev: libc.a for the static TLS test)
	binutils                      # objcopy, readelf, strip: the separate debug file tests
	xz-utils                      # xz: the MiniDebugInfo stand-ins
	clang llvm                    # the BPF object
	libclang-rt-14-dev            # libFuzzer and the sanitizers' runtimes: make fuzz
	bpftool                       # skeleton generation
	libbpf-dev libelf-dev zlib1g-dev
	libdw-dev                     # DWARF of Ruby builds without a table entry (elfutils)
	libcapstone-dev               # a disassembler: where a stripped Ruby keeps its VM, from its code
	liblzma-dev                   # MiniDebugInfo (.gnu_debugdata) is xz-compressed
	libdebuginfod-dev             # debug files by build id from debuginfod servers
	libcurl4-openssl-dev          # --push: HTTP(S) uploads to a Pyroscope-compatible server
	debuginfod                    # the tests' local debuginfod server (and debuginfod-find)
	iproute2                      # ip: loopback up in the test's own network namespace
	musl-tools                    # musl-gcc: the TLS tests' stand-ins for Alpine's Rubies
	ruby                          # Debian's Ruby 3.1: the end-to-end tests' target and harness
	ruby-stackprof                # the in-process profiler the accuracy test and make bench compare with
	ruby-rails ruby-sqlite3 puma  # the e2e tests' Rails application, served by puma
	bpftrace                      # make bench: a native-stack BPF profiler, the floor of a BPF sampler's cost
	util-linux                    # setpriv and unshare, used by the error-case tests
	procps                        # ps, pkill in the scripts
	chromium                      # the format tests: the SVG and the speedscope page, headless
	golang-go                     # the format tests: go tool pprof reads the pprof output
	tmux                          # the --top test runs the live view in a terminal
	libxml2-utils                 # xmllint: the SVG and the man page read back by an XML parser
	groff-base man-db             # the man page, rendered as man renders it
	nodejs                        # runs the format tests' browser driver (tests/clients)
	python3                       # the --push tests' receiver (tests/e2e/lib/pyroscope_receiver.py)
	openssl                       # the https receiver's certificate, made by the --push tests
	curl                          # scripts/soak.sh: its Rails app's loopback client
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -ne 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
		exit 1
	fi
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The format tests' real clients from npm, pinned by tests/clients/package-lock.json:
# puppeteer-core drives Debian's chromium over the DevTools protocol (it downloads no browser),
# and speedscope is the app whose page loads our speedscope files.
if ! command -v npm >/dev/null; then
	if [ "$(id -u)" != 0 ]; then
		echo "install-deps: npm is missing (run as root to install it)" >&2
		exit 1
	fi
	apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
cd "$(dirname "$0")/../tests/clients"
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.lock-copy; then
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
	cp package-lock.json node_modules/.lock-copy
fi
