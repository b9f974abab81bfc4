# SPDX-License-Identifier: GPL-2.0-only
# livefix — live-patch a running Debian kernel from a source patch.
#   make            build ./livefix
#   make demo       the main job: build, load and unload a live patch in a VM
#   make check      every test CI runs (unit + VM), ends "N passed, N failed"
#   make unit       unit tests only
#   make corpus CORPUS=DIR [KVER=...]          judge a kpatch-style corpus
#   make stable-corpus CORPUS=DIR [KVER=...] [JOBS=N] [LIMIT=N] [ONLY=id,id|from-to] [EXPECT=id=outcome,...]
#                   [PART=k/N|next/N [RESULTS=DIR]]   one slice of N, accumulating in DIR
#   make install PREFIX=/usr/local DESTDIR=
#   make install-console   livefix-console and its systemd unit
#   make deb [DEB_OUT=dir]     livefix's Debian package (dpkg-buildpackage in a
#                   copy of the tree, lintian clean) -> build/deb/
#   make fleet-test  the fleet: apt repository, Ansible rollout on 3 qemu hosts
#   make unit SANITIZE=1 / make check SANITIZE=1
#                   ASan+UBSan+LSan build in build-san/, unit and bad-input tests
#   make fuzz [FUZZ_SECONDS=N]   libFuzzer harnesses (clang) in build-fuzz/
#   make badinput   bad-input tests (tests/badinput/run.sh)
#   make user-test  livefix user on a running threaded program (tests/user/run.sh)
#   make user-watch-test  livefix user watch with the kernel's process events (tests/user/watch.sh)
#   make user-headers-test  livefix user build of header changes, applied to a running program (tests/user/headers.sh)
#   make user-redis livefix user on Debian's redis-server, deb12u7 + deb12u10's fixes (tests/user/redis.sh)
#   make user-postgres livefix user apply --all on a postgresql-15 cluster under pgbench (tests/user/postgres.sh)
#   make user-corpus  real Debian updates (redis, openssl, postgresql-15) one patch per changed file, applied under load (tests/user/corpus.sh)
#   make check-long / make soak  patching under load: 200 / 1,000 cycles
#   make bench [BENCH=build|differ|apply|footprint|runpre|baseline|console]  -> bench/RESULTS.md
#   make console    the web console server ./livefix-console (docs/console.md)
#   make console-test  its tests: HTTP (curl), promotion, a real browser (chromium)
#   make console-systemd-test  its packages' units under systemd in a qemu host (long)

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc
LDLIBS  += -ldw -lelf -lz -llzma
PREFIX  ?= /usr/local
BINDIR         ?= $(PREFIX)/bin
MANDIR         ?= $(PREFIX)/share/man
BASHCOMPDIR    ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# The macro headers patches include (kpatch-macros.h, livefix-macros.h);
# livefix finds them beside its binary, in ../share/livefix/include.
DATADIR        ?= $(PREFIX)/share/livefix
# The console's repository tool (scripts/repo.sh as livefix-repo).
CONSOLELIBDIR  ?= $(PREFIX)/lib/livefix-console
JOBS    ?= 1

# The pinned test kernels: one setting per Debian release (see README).
# KVER is bookworm's, the default of every target; KVER_TRIXIE is trixie's,
# used by tests/vm/test_demo_trixie.sh (make check) and by any target given
# KVER=$(KVER_TRIXIE), e.g. make demo KVER=6.12.107+deb13-amd64.
KVER    ?= 6.1.0-47-amd64
KVER_TRIXIE ?= 6.12.107+deb13-amd64
export KVER_TRIXIE

# SANITIZE=1: everything built with ASan + UBSan (+ LSan) into build-san/,
# never mixed with the normal objects; the binary is build-san/livefix.
ifeq ($(SANITIZE),1)
B       := build-san
BIN     := build-san/livefix
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS  += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
else
B       := build
BIN     := livefix
endif

# src/console/ is a program of its own (livefix-console): livefix does not
# link libmicrohttpd, SQLite or libjansson.
LIB_SRCS := $(filter-out src/cli/main.c src/console/%,$(wildcard src/*/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
CLI_OBJS := $(B)/src/cli/main.o
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
CONSOLE_SRCS := $(filter-out src/console/main.c,$(wildcard src/console/*.c))
# Of the library only the Debian version order, the hash map (and its
# allocator) and run.c, the one place that starts programs (the console's
# repository tool, reprepro): its JSON writer's names would clash with
# libjansson's.
CONSOLE_OBJS := $(CONSOLE_SRCS:%.c=$(B)/%.o) $(B)/src/kernel/debversion.o \
		$(B)/src/common/hashmap.o $(B)/src/common/xalloc.o \
		$(B)/src/common/run.o $(B)/src/common/signals.o $(B)/src/common/fsutil.o \
		$(B)/src/common/log.o $(B)/src/common/outcome.o $(B)/src/common/codes.o
CONSOLE_LIBS := -lmicrohttpd -lsqlite3 -ljansson -lcrypt -lcrypto
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

all: livefix

$(B)/%.o: %.c $(filter-out src/console/%,$(wildcard src/*/*.h))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The console's objects also depend on its own headers (which nothing
# else includes).
$(B)/src/console/%.o: src/console/%.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/liblivefix.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJS) $(B)/liblivefix.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
ifneq ($(BIN),livefix)
livefix: $(BIN)
endif

# Test switches (LIVEFIX_TEST_*, LIVEFIX_KERNEL_RELEASE: src/common/testhooks.h)
# exist only in objects built with -DLIVEFIX_TEST_HOOKS: these files again,
# linked ahead of the library into the test binary $(TEST_BIN) and the unit
# tests. ./livefix ignores the switches.
HOOK_SRCS := src/pipeline/run_pre.c src/kernel/kpaths.c src/user/apply.c src/user/sweep.c
HOOK_OBJS := $(HOOK_SRCS:%.c=$(B)/hooks/%.o)
TEST_BIN  := $(B)/livefix-test

$(B)/hooks/%.o: %.c $(filter-out src/console/%,$(wildcard src/*/*.h))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DLIVEFIX_TEST_HOOKS -c -o $@ $<

$(TEST_BIN): $(CLI_OBJS) $(HOOK_OBJS) $(B)/liblivefix.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(HOOK_OBJS) $(B)/liblivefix.a $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h fuzz/*.h fuzz/fuzz_*.c) $(HOOK_OBJS) $(B)/liblivefix.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< $(HOOK_OBJS) $(B)/liblivefix.a $(LDLIBS)

# Its default repository tool, where install-console puts scripts/repo.sh.
$(B)/src/console/main.o: CFLAGS += -DCONSOLE_REPO_TOOL='"$(CONSOLELIBDIR)/livefix-repo"'

$(B)/livefix-console: $(B)/src/console/main.o $(CONSOLE_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CONSOLE_LIBS)

livefix-console: $(B)/livefix-console
	cp $< $@

console: livefix-console

# The console unit test (tests/unit/test_console.c) links the console's objects.
$(B)/tests/test_console: tests/unit/test_console.c tests/unit/test.h $(CONSOLE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< $(CONSOLE_OBJS) $(CONSOLE_LIBS)

console-test: livefix livefix-console
	@tests/console/run.sh

# The console's and the report timer's units under a real systemd: one
# qemu host of the fleet's image, the packages of make deb installed
# (tests/console/systemd.sh; long, not in check).
console-systemd-test:
	@tests/console/systemd.sh $(KVER)

unit: livefix $(TEST_BIN) $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

# Every VM suite (tests/vm/test_*.sh), as make check runs them; stops at
# the first that fails.
vm: livefix $(TEST_BIN)
	@for t in tests/vm/test_*.sh; do echo "== $$t"; $$t $(KVER) || exit 1; done

# demo and check are the README's first commands on a brand-new machine:
# the Debian packages come first (scripts/install-deps.sh: as root it
# installs what is missing, otherwise it names it in one line), then the
# compiler is run, in a make of its own.
deps:
	@scripts/install-deps.sh

# Under SANITIZE=1 only what runs on the host: unit and bad-input tests.
ifeq ($(SANITIZE),1)
check: deps
	@$(MAKE) --no-print-directory livefix $(TEST_BIN) $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS) && LIVEFIX=$(CURDIR)/$(BIN) \
		LIVEFIX_TEST_BIN=$(CURDIR)/$(TEST_BIN) tests/badinput/run.sh $(KVER)
else
check: deps
	@$(MAKE) --no-print-directory livefix livefix-console $(TEST_BIN) $(UNIT_BINS)
	@tests/check.sh $(KVER) $(UNIT_BINS)
endif

badinput: livefix $(TEST_BIN)
	@LIVEFIX=$(CURDIR)/$(BIN) LIVEFIX_TEST_BIN=$(CURDIR)/$(TEST_BIN) tests/badinput/run.sh $(KVER)

user-test: livefix $(TEST_BIN)
	@LIVEFIX=$(CURDIR)/$(BIN) LIVEFIX_TEST_BIN=$(CURDIR)/$(TEST_BIN) tests/user/run.sh

user-watch-test: livefix
	@LIVEFIX=$(CURDIR)/$(BIN) tests/user/watch.sh

user-headers-test: livefix
	@LIVEFIX=$(CURDIR)/$(BIN) tests/user/headers.sh

# Debian's redis-server 5:7.0.15-1~deb12u7 live-patched with the fixes of
# deb12u10 (tests/user/redis.sh): cold ~5 min (build root, rebuild), warm ~1.5.
user-redis: livefix
	@LIVEFIX=$(CURDIR)/$(BIN) tests/user/redis.sh

# Debian's postgresql-15 15.18-0+deb12u1 (installed): a library and a
# function of the server swept over a cluster's processes under pgbench
# (tests/user/postgres.sh): cold, the package's rebuild (an hour at -j2).
user-postgres: livefix
	@LIVEFIX=$(CURDIR)/$(BIN) tests/user/postgres.sh

# Real Debian updates as a corpus (tests/user/corpus.sh): one patch per
# changed file, built against the running program's rebuild, applied to
# servers under a client load and reverted; "N passed, N failed". Cold: the
# openssl 3.0.17 rebuild (an hour at -j2 on a busy machine); PARTS= redis,
# openssl, postgresql (default all).
user-corpus: livefix
	@LIVEFIX=$(CURDIR)/$(BIN) tests/user/corpus.sh $(PARTS)

# Patching under load in the test machine (tests/vm/test_stress.sh): two
# guest CPUs on single-threaded TCG (~12 s a cycle); the 1,000-cycle soak on
# one guest CPU by default (~6 s a cycle), STRESS_SMP=2 for two (3+ hours).
check-long: check
	@tests/vm/soak.sh $(KVER) 200

soak: livefix
	@STRESS_SMP=$${STRESS_SMP:-1} tests/vm/soak.sh $(KVER) 1000

# Benchmarks (bench/): all but baseline, or one; writes bench/RESULTS.md.
bench: livefix build/liblivefix.a $(if $(filter console,$(BENCH)),livefix-console)
	@KVER=$(KVER) bench/run.sh $(BENCH)

# libFuzzer harnesses (fuzz/fuzz_*.c), built with clang into build-fuzz/;
# seeds made at run time from real objects (fuzz/make-seeds.sh).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -O1 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Isrc \
		-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
		-fno-omit-frame-pointer
FUZZ_OBJS    := $(LIB_SRCS:%.c=build-fuzz/%.o)
FUZZ_BINS    := $(patsubst fuzz/%.c,build-fuzz/%,$(wildcard fuzz/fuzz_*.c))

build-fuzz/%.o: %.c $(filter-out src/console/%,$(wildcard src/*/*.h))
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

build-fuzz/liblivefix.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^

build-fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h build-fuzz/liblivefix.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< build-fuzz/liblivefix.a $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

demo: deps
	@$(MAKE) --no-print-directory livefix
	@./demo.sh $(KVER)

corpus: livefix
	@tests/corpus/run-kpatch-corpus.sh "$(CORPUS)" $(KVER)

stable-corpus: livefix
	@tests/corpus/run-stable-corpus.sh "$(CORPUS)" $(KVER) $(JOBS)

corpus-selftest:
	@tests/corpus/selftest/run.sh $(KVER)

# A cumulative update module in the test machine under stress, with its
# target modules and the smoke workloads (long: not in make check).
# UPDATE_KO=FILE tests that module, else a --only subset is built.
update-test: livefix
	@tests/update/test_update_vm.sh $(KVER)

# Issue #22's proof: the whole update built cold then warm, compared with
# the per-file corpus, its module in the test machine; figures.md (hours).
UPDATE_TARGET ?= 6.1.176-1
UPDATE_JOBS ?= 2
update-whole: livefix
	@tests/update/run-whole.sh $(UPDATE_TARGET) $(KVER) $(UPDATE_JOBS)

# The unit names the binary by its installed path.
install: livefix
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 0755 livefix $(DESTDIR)$(BINDIR)/livefix
	install -m 0644 $(filter-out man/livefix-console.1,$(wildcard man/*.1)) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 dist/livefix-completion.bash $(DESTDIR)$(BASHCOMPDIR)/livefix
	install -d $(DESTDIR)$(DATADIR)/include
	install -m 0644 include/livefix/*.h $(DESTDIR)$(DATADIR)/include/
	sed 's|/usr/bin/livefix|$(BINDIR)/livefix|' dist/livefix.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/livefix.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/livefix.service
	for u in livefix-report.service livefix-report.timer livefix-user-watch.service; do \
		sed 's|/usr/bin/livefix|$(BINDIR)/livefix|' dist/$$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; done

# The console (its own libraries: libmicrohttpd, SQLite, libjansson), its
# man page and the repository tool it promotes patches with
# (scripts/repo.sh, as $(CONSOLELIBDIR)/livefix-repo: the console's
# --repo-tool default).
install-console: livefix-console
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(CONSOLELIBDIR)
	install -m 0755 livefix-console $(DESTDIR)$(BINDIR)/livefix-console
	install -m 0644 man/livefix-console.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0755 scripts/repo.sh $(DESTDIR)$(CONSOLELIBDIR)/livefix-repo
	sed 's|/usr/bin/livefix-console|$(BINDIR)/livefix-console|' dist/livefix-console.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/livefix-console.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/livefix-console.service

# The Debian package, built in a copy of the tree (scripts/deb.sh).
DEB_OUT ?= $(CURDIR)/build/deb
deb:
	@scripts/deb.sh $(DEB_OUT)

# The fleet on real test hosts (tests/fleet/run.sh; long, not in check):
# 3 qemu hosts with a bookworm root, the signed repository, the Ansible
# rollout, rollback, a failing canary and bad input (tampered and unsigned
# repositories, another kernel, an unreachable host, a newer patch).
# FLEET_BENCH_OUT=bench/RESULTS.md appends the times.
fleet-test: livefix
	@tests/fleet/run.sh $(KVER)

clean:
	rm -rf build build-san build-fuzz livefix livefix-console

.PHONY: all deps unit vm check demo clean corpus stable-corpus corpus-selftest install user-test user-redis user-postgres user-corpus \
	user-watch-test user-headers-test \
	badinput check-long soak fuzz fuzz-build bench console console-test install-console deb fleet-test console-systemd-test update-test update-whole
