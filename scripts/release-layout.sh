#!/usr/bin/env bash
# The layout of one Ruby release without building all of it:
#   scripts/release-layout.sh RUBY-GIT-DIR TAG WORKDIR > layout.txt
# Extracts TAG (v3_3_0, v4.0.0, refs/tags/v3_0_0, ...) from a Ruby git repository into
# WORKDIR/src, configures it as the -g builds of scripts/layouts/ were (--enable-shared), and
# compiles only the objects whose DWARF holds what scripts/ruby-offsets.rb asks for (vm_core.h
# structs, and rb_ractor_t, struct rb_thread_sched, rb_global_vm_lock_t for the thread state:
# vm.o; rb_objspace: gc.o; rb_symbols_t, ID_ENTRY_UNIT: symbol.o; shapes: shape.o; ruby_version:
# version.o). Linking them into one shared object (undefined symbols allowed) relocates their
# debug info, macros included (gdb finds no macros in a bare .o), so ruby-offsets.rb reads it
# like a libruby.so. About a minute a release with make -j2.
# Needs what a Ruby build from git needs (Debian: autoconf bison gperf gcc make, and a ruby
# as BASERUBY; /usr/share/misc/config.guess from autotools-dev for <= 3.0, whose tree has no
# autogen.sh). CONFIGURE_FROM=TAG takes configure.ac and tool/m4 from another release:
# 2.7.0-2.7.3's do not work with autoconf 2.71 (fixed in 2.7.4); 2.7.0 with 2.7.8's gives
# the layout 2.7.4 and 2.7.8 give.
set -euo pipefail
usage="usage: release-layout.sh RUBY-GIT-DIR TAG WORKDIR"
git_dir=${1:?$usage}
tag=${2:?$usage}
work=${3:?$usage}
here=$(cd "$(dirname "$0")" && pwd)
src=$work/src
log=$work/build.log

step() {
	"$@" >>"$log" 2>&1 || {
		echo "release-layout.sh: '$*' failed, see $log" >&2
		exit 1
	}
}

mkdir -p "$src"
: >"$log"
git --git-dir="$git_dir" archive "$tag" | tar -x -C "$src"
if [ -n "${CONFIGURE_FROM:-}" ]; then
	git --git-dir="$git_dir" archive "$CONFIGURE_FROM" configure.ac tool/m4 | tar -x -C "$src"
fi
cd "$src"
# A git-archive tree has no revision.h; 3.0's version.o needs one (an empty one does).
[ -f revision.h ] || : >revision.h
if [ ! -x configure ]; then
	if [ -x autogen.sh ]; then
		step ./autogen.sh
	else
		step cp /usr/share/misc/config.guess /usr/share/misc/config.sub tool/
		step autoconf
	fi
fi
[ -f Makefile ] || step ./configure --enable-shared --disable-install-doc --prefix="$work/prefix"
objs=(vm.o gc.o symbol.o version.o iseq.o class.o)
[ -f shape.c ] && objs+=(shape.o)
step make -j2 "${objs[@]}"
step gcc -shared -nostdlib -Wl,--unresolved-symbols=ignore-all -o "$work/layout.so" "${objs[@]}"
ruby "$here/ruby-offsets.rb" "$work/layout.so"
