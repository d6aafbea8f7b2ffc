# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# rbprof-bpf: `make` builds ./rbprof-bpf; `make test` runs every test; `make bench` measures.
OUTPUT := .output
CLANG ?= clang
CC ?= gcc
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed 's/x86_64/x86/' | sed 's/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

CFLAGS ?= -g -O2
WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
INCLUDES := -I$(OUTPUT) -Ibpf -Iuser
# libdw (elfutils) reads the DWARF of Ruby builds the table has no layout for; it pairs with
# libelf; liblzma decompresses MiniDebugInfo. Capstone (a stripped Ruby's code) and
# libdebuginfod (debug files by build id) are loaded with dlopen when needed, as libdw loads
# libdebuginfod: their headers are all the build needs. So is libcurl, which makes the HTTP(S)
# uploads of --push (user/push/curl_lib.c says why it is not linked). pkg-config knows their
# flags; the fallback names the usual libraries.
PKG_CONFIG ?= pkg-config
PKGS := libbpf libdw libelf zlib liblzma
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) libcurl 2>/dev/null)
LIBS := $(or $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null),-lbpf -ldw -lelf -lz -llzma)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) -Ibpf \
	$(if $(MULTIARCH),-I/usr/include/$(MULTIARCH))

# Every source under user/, one folder per pipeline stage: a new file is built without being
# listed. main.c holds the program's entry; everything else is also linked into the unit tests
# and the user-space benchmark.
USER_SRCS := $(sort $(shell find user -name '*.c'))
MAIN_SRC := user/main.c
LIB_SRCS := $(filter-out $(MAIN_SRC),$(USER_SRCS))
USER_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(USER_SRCS))
LIB_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(LIB_SRCS))
# Header dependencies, written by the compiler (-MMD) next to each object.
DEPFLAGS = -MMD -MP -MF $(@:.o=.d)

# Unit tests: the user-space parts under AddressSanitizer and UBSan, objects of their own.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
UNIT_SRCS := $(wildcard tests/unit/*.c)
SAN_OBJS := $(patsubst %.c,$(OUTPUT)/san/%.o,$(LIB_SRCS) $(UNIT_SRCS))

ifeq ($(V),1)
	Q =
	msg =
else
	Q = @
	msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all clean test unit e2e fuzz bench demo deps format install uninstall
.DELETE_ON_ERROR:
.SECONDARY:

all: rbprof-bpf

$(OUTPUT):
	$(Q)mkdir -p $@

$(OUTPUT)/rbprof.bpf.o: bpf/rbprof.bpf.c bpf/ruby_walk.h bpf/rbprof.h bpf/tick_clock.h vmlinux/$(ARCH)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/rbprof.skel.h: $(OUTPUT)/rbprof.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name rbprof_bpf > $@

# The names of this architecture's system calls, by number, from the kernel's headers (what
# an off-CPU thread of --wall is blocked in): one "[NR] = \"name\"," line each.
$(OUTPUT)/syscall_names.h: | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)echo '#include <asm/unistd.h>' | $(CC) -E -dM - | \
		awk '$$1 == "#define" && $$2 ~ /^__NR_[a-z0-9_]+$$/ && $$3 ~ /^[0-9]+$$/ \
		{ printf "\t[%s] = \"%s\",\n", $$3, substr($$2, 6) }' | sort -t'[' -k2 -n > $@
	$(Q)test -s $@ || { echo "no system call numbers in <asm/unistd.h>" >&2; rm -f $@; exit 1; }

# The skeleton comes first: the sampler includes it, and the compiler lists it as a dependency
# only once it exists.
$(OUTPUT)/user/%.o: user/%.c $(OUTPUT)/rbprof.skel.h $(OUTPUT)/syscall_names.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(WARN) $(INCLUDES) $(PKG_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(OUTPUT)/san/%.o: %.c $(OUTPUT)/rbprof.skel.h $(OUTPUT)/syscall_names.h
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -g -O1 $(SAN) $(WARN) $(INCLUDES) -Itests/unit $(PKG_CFLAGS) $(DEPFLAGS) -c $< -o $@

rbprof-bpf: $(USER_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

$(OUTPUT)/unit-tests: $(SAN_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(SAN) $^ $(LIBS) -o $@

# make fuzz: a libFuzzer harness per reader of untrusted input (tests/fuzz/fuzz_*.c), built by
# clang over the loader's own code with ASan and UBSan, each run from its corpus for a bounded
# time by scripts/fuzz.sh (FUZZ_SECONDS each; tests/fuzz/README.md says what each covers).
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(FUZZ_SRCS))
FUZZ_OBJS := $(patsubst %.c,$(OUTPUT)/fuzzobj/%.o,$(LIB_SRCS))

$(OUTPUT)/fuzzobj/%.o: %.c $(OUTPUT)/rbprof.skel.h $(OUTPUT)/syscall_names.h
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(WARN) $(INCLUDES) $(PKG_CFLAGS) \
		$(DEPFLAGS) -c $< -o $@

$(OUTPUT)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_fixtures.h $(FUZZ_OBJS)
	$(call msg,FUZZER,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer $(WARN) $(INCLUDES) -Itests/unit \
		$(PKG_CFLAGS) $< $(FUZZ_OBJS) $(LIBS) -o $@

fuzz: $(FUZZ_BINS) $(TLSFIX) $(DWARFFIX) $(CODEFIX)
	$(Q)scripts/fuzz.sh $(FUZZ_BINS)

# Programs that stand in for ruby in the TLS tests (tests/unit/fixtures): the EC in a shared
# libruby (dynamic TLS; linked, or loaded with dlopen), in a PIE executable and in a static
# executable (static TLS); each against glibc and against musl (Alpine's libc, through
# Debian's musl-gcc), whose TLS is laid out otherwise.
MUSL_CC ?= musl-gcc
TLSFIX := $(OUTPUT)/tlsfix $(OUTPUT)/tlsfix-dlopen $(OUTPUT)/tlsfix-exe $(OUTPUT)/tlsfix-static \
	$(OUTPUT)/tlsfix-musl $(OUTPUT)/tlsfix-musl-dlopen $(OUTPUT)/tlsfix-musl-exe \
	$(OUTPUT)/tlsfix-musl-static
$(OUTPUT)/libruby-tlsfix.so: tests/unit/fixtures/tlsfix_lib.c | $(OUTPUT)
	$(Q)$(CC) -g -O0 -fPIC -shared $< -o $@
$(OUTPUT)/tlsfix: tests/unit/fixtures/tlsfix_main.c $(OUTPUT)/libruby-tlsfix.so
	$(Q)$(CC) -g -O0 -pie -fPIE $< -L$(OUTPUT) -lruby-tlsfix -lpthread -Wl,-rpath,'$$ORIGIN' -o $@
$(OUTPUT)/tlsfix-dlopen: tests/unit/fixtures/tlsfix_main.c $(OUTPUT)/libruby-tlsfix.so
	$(Q)$(CC) -g -O0 -pie -fPIE -DTLSFIX_DLOPEN $< -ldl -lpthread -o $@
$(OUTPUT)/tlsfix-exe: tests/unit/fixtures/tlsfix_main.c | $(OUTPUT)
	$(Q)$(CC) -g -O0 -pie -fPIE -DTLSFIX_IN_EXE $< -lpthread -o $@
$(OUTPUT)/tlsfix-static: tests/unit/fixtures/tlsfix_main.c | $(OUTPUT)
	$(Q)$(CC) -g -O0 -static -DTLSFIX_IN_EXE $< -lpthread -o $@
$(OUTPUT)/libruby-tlsfix-musl.so: tests/unit/fixtures/tlsfix_lib.c | $(OUTPUT)
	$(Q)$(MUSL_CC) -g -O0 -fPIC -shared $< -o $@
$(OUTPUT)/tlsfix-musl: tests/unit/fixtures/tlsfix_main.c $(OUTPUT)/libruby-tlsfix-musl.so
	$(Q)$(MUSL_CC) -g -O0 -pie -fPIE $< -L$(OUTPUT) -lruby-tlsfix-musl -lpthread \
		-Wl,-rpath,'$$ORIGIN' -o $@
$(OUTPUT)/tlsfix-musl-dlopen: tests/unit/fixtures/tlsfix_main.c $(OUTPUT)/libruby-tlsfix-musl.so
	$(Q)$(MUSL_CC) -g -O0 -pie -fPIE -DTLSFIX_DLOPEN -DTLSFIX_LIB='"libruby-tlsfix-musl.so"' $< \
		-ldl -lpthread -o $@
$(OUTPUT)/tlsfix-musl-exe: tests/unit/fixtures/tlsfix_main.c | $(OUTPUT)
	$(Q)$(MUSL_CC) -g -O0 -pie -fPIE -DTLSFIX_IN_EXE $< -lpthread -o $@
$(OUTPUT)/tlsfix-musl-static: tests/unit/fixtures/tlsfix_main.c | $(OUTPUT)
	$(Q)$(MUSL_CC) -g -O0 -static -DTLSFIX_IN_EXE $< -lpthread -o $@

# Stand-ins for the code reader (tests/unit/fixtures/codefix_*): a libruby-like library in
# each TLS model a compiler emits, with its variables hidden (as Ruby 3.3+ has them) or
# exported (Debian's 3.1), one whose rb_errinfo reads a decoy first, and a program with it
# compiled in (a static ruby's local exec); each beside a copy stripped as distributions
# strip theirs, that the code reader must read alike.
CODEFIX_SRC := tests/unit/fixtures/codefix_lib.c tests/unit/fixtures/codefix.h
CODEFIX_FLAGS_gd := -ftls-model=global-dynamic
CODEFIX_FLAGS_ld := -ftls-model=local-dynamic
CODEFIX_FLAGS_desc := -mtls-dialect=gnu2
CODEFIX_FLAGS_ie := -ftls-model=initial-exec
CODEFIX_FLAGS_exported := -DCODEFIX_EXPORTED
CODEFIX_FLAGS_decoy := -DCODEFIX_DECOY
CODEFIX := $(foreach m,gd ld desc ie exported decoy static,\
	$(OUTPUT)/codefix/$(m)/codefix $(OUTPUT)/codefix/$(m)-stripped/codefix)
STRIP_LIKE_DEBIAN := strip --remove-section=.comment --remove-section=.note --strip-unneeded
$(OUTPUT)/codefix/%/libruby-codefix.so: $(CODEFIX_SRC)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -fPIC -shared $(CODEFIX_FLAGS_$*) $< -o $@
$(OUTPUT)/codefix/%-stripped/libruby-codefix.so: $(OUTPUT)/codefix/%/libruby-codefix.so
	$(Q)mkdir -p $(@D)
	$(Q)$(STRIP_LIKE_DEBIAN) $< -o $@
$(OUTPUT)/codefix/%/codefix: tests/unit/fixtures/codefix_main.c $(OUTPUT)/codefix/%/libruby-codefix.so
	$(Q)$(CC) -O2 $< -L$(@D) -lruby-codefix -Wl,-rpath,'$$ORIGIN' -o $@
$(OUTPUT)/codefix/static/codefix: tests/unit/fixtures/codefix_main.c $(CODEFIX_SRC)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -rdynamic $< $(word 2,$^) -o $@
$(OUTPUT)/codefix/static-stripped/codefix: $(OUTPUT)/codefix/static/codefix
	$(Q)mkdir -p $(@D)
	$(Q)$(STRIP_LIKE_DEBIAN) $< -o $@
# ... and stripped with its symbols kept apart: a debug file, MiniDebugInfo (strip-symbols.sh)
CODEFIX += $(OUTPUT)/symbols-root/stamp
$(OUTPUT)/symbols-root/stamp: tests/unit/fixtures/strip-symbols.sh $(OUTPUT)/codefix/gd/libruby-codefix.so
	$(Q)$< $(@D) $(filter-out $<,$^) && touch $@

# Stand-in libruby builds with DWARF (tests/unit/fixtures/dwarf_lookalike.h), for the DWARF
# layout tests: the shapes (old, new, shapes) under versions the table lacks, one lacking
# location.pathobj, one lacking rb_thread_t.status, one without a build id, and stripped
# copies with separate debug files.
LOOKALIKE := tests/unit/fixtures/dwarf_lookalike.c tests/unit/fixtures/dwarf_lookalike.h
LOOKALIKE_CC = $(Q)$(CC) -g -O2 -fPIC -shared -Wall $< -o $@
DWARFFIX := $(OUTPUT)/libruby-dwarffix-old.so $(OUTPUT)/libruby-dwarffix-new.so \
	$(OUTPUT)/libruby-dwarffix-shapes.so $(OUTPUT)/libruby-dwarffix-nostatus.so \
	$(OUTPUT)/libruby-dwarffix-nopath.so $(OUTPUT)/libruby-dwarffix-bigbody.so \
	$(OUTPUT)/dwarf_host $(OUTPUT)/dwarf-root/stamp
$(OUTPUT)/libruby-dwarffix-old.so: $(LOOKALIKE) | $(OUTPUT)
	$(LOOKALIKE_CC) -DLOOKALIKE_VERSION='"2.7.99"'
$(OUTPUT)/libruby-dwarffix-new.so: $(LOOKALIKE) | $(OUTPUT)
	$(LOOKALIKE_CC) -DLOOKALIKE_NEW -DLOOKALIKE_VERSION='"4.1.0"'
$(OUTPUT)/libruby-dwarffix-shapes.so: $(LOOKALIKE) | $(OUTPUT)
	$(LOOKALIKE_CC) -DLOOKALIKE_NEW -DLOOKALIKE_SHAPES -DLOOKALIKE_VERSION='"3.2.99"'
$(OUTPUT)/libruby-dwarffix-nopath.so: $(LOOKALIKE) | $(OUTPUT)
	$(LOOKALIKE_CC) -DLOOKALIKE_NEW -DLOOKALIKE_NO_PATHOBJ -DLOOKALIKE_VERSION='"4.0.99"'
$(OUTPUT)/libruby-dwarffix-bigbody.so: $(LOOKALIKE) | $(OUTPUT)
	$(LOOKALIKE_CC) -DLOOKALIKE_NEW -DLOOKALIKE_BIG_BODY -DLOOKALIKE_VERSION='"4.1.0"'
$(OUTPUT)/libruby-dwarffix-nostatus.so: $(LOOKALIKE) | $(OUTPUT)
	$(LOOKALIKE_CC) -DLOOKALIKE_NEW -DLOOKALIKE_NO_THREAD_STATUS -DLOOKALIKE_VERSION='"4.1.0"'
$(OUTPUT)/libruby-dwarffix-noid.so: $(LOOKALIKE) | $(OUTPUT)
	$(LOOKALIKE_CC) -DLOOKALIKE_NEW -DLOOKALIKE_VERSION='"4.1.0"' -Wl,--build-id=none
$(OUTPUT)/dwarf_host: tests/unit/fixtures/dwarf_host.c | $(OUTPUT)
	$(Q)$(CC) -g -O0 $< -ldl -o $@
$(OUTPUT)/dwarf-root/stamp: tests/unit/fixtures/split-debug.sh $(OUTPUT)/libruby-dwarffix-new.so \
		$(OUTPUT)/libruby-dwarffix-noid.so $(OUTPUT)/libruby-dwarffix-old.so
	$(Q)$< $(OUTPUT)/dwarf-root $(filter-out $<,$^) && touch $@

unit: $(OUTPUT)/unit-tests $(TLSFIX) $(DWARFFIX) $(CODEFIX)
	$(Q)RBPROF_TEST_OUTPUT=$(OUTPUT) $(OUTPUT)/unit-tests

e2e: rbprof-bpf
	$(Q)ruby tests/e2e/run.rb ./rbprof-bpf

# Everything, as CI runs it; ends with "N passed, N failed".
test: rbprof-bpf $(OUTPUT)/unit-tests $(TLSFIX) $(DWARFFIX) $(CODEFIX) $(FUZZ_BINS)
	$(Q)scripts/run-tests.sh

# The loader's per-sample path on recorded events (bench/userspace.c), for make bench only.
$(OUTPUT)/bench-userspace: bench/userspace.c $(LIB_OBJS) | $(OUTPUT)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) $(INCLUDES) $(PKG_CFLAGS) $^ $(LIBS) -o $@

# Each writer on a large made-up profile (bench/writers.c), for make bench only.
$(OUTPUT)/bench-writers: bench/writers.c $(LIB_OBJS) | $(OUTPUT)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) $(INCLUDES) $(PKG_CFLAGS) $^ $(LIBS) -o $@

# make bench's trivial sampler, which only counts, on either clock (bench/count.c).
$(OUTPUT)/count.bpf.o: bench/count.bpf.c bpf/tick_clock.h vmlinux/$(ARCH)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/count.skel.h: $(OUTPUT)/count.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name count_bpf > $@

$(OUTPUT)/bench-count: bench/count.c $(OUTPUT)/count.skel.h $(LIB_OBJS) | $(OUTPUT)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) $(INCLUDES) $(PKG_CFLAGS) bench/count.c $(LIB_OBJS) $(LIBS) -o $@

bench: rbprof-bpf $(OUTPUT)/bench-userspace $(OUTPUT)/bench-writers $(OUTPUT)/bench-count
	$(Q)scripts/bench.sh

deps:
	$(Q)scripts/install-deps.sh

demo: deps rbprof-bpf
	$(Q)scripts/demo.sh

format:
	$(Q)clang-format -i bpf/*.c bpf/*.h $(USER_SRCS) $(shell find user -name '*.h') \
		tests/unit/*.c tests/unit/*.h

# make install [PREFIX=/usr/local] [DESTDIR=...]: the binary into sbin (it needs root, and
# sudo's secure_path has sbin) and the man page rbprof-bpf(8); make uninstall removes exactly
# those two files.
PREFIX ?= /usr/local
SBINDIR := $(DESTDIR)$(PREFIX)/sbin
MAN8DIR := $(DESTDIR)$(PREFIX)/share/man/man8

install: rbprof-bpf docs/rbprof-bpf.8
	$(call msg,INSTALL,$(SBINDIR)/rbprof-bpf)
	$(Q)install -d $(SBINDIR) $(MAN8DIR)
	$(Q)install -D -m 0755 rbprof-bpf $(SBINDIR)/rbprof-bpf
	$(call msg,INSTALL,$(MAN8DIR)/rbprof-bpf.8)
	$(Q)install -D -m 0644 docs/rbprof-bpf.8 $(MAN8DIR)/rbprof-bpf.8

uninstall:
	$(call msg,RM,$(SBINDIR)/rbprof-bpf $(MAN8DIR)/rbprof-bpf.8)
	$(Q)rm -f $(SBINDIR)/rbprof-bpf $(MAN8DIR)/rbprof-bpf.8

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) rbprof-bpf

-include $(USER_OBJS:.o=.d) $(SAN_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d)
