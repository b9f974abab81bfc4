# livefix — live-patch a running Debian kernel from a source patch.
#   make            build ./livefix
#   make demo       the main job: build, load and unload a live patch in a VM
#   make check      every test CI runs (unit + VM), ends "N passed, N failed"
#   make unit       unit tests only
#   make corpus CORPUS=DIR [KVER=...]          judge a kpatch-style corpus
#   make stable-corpus CORPUS=DIR [KVER=...] [JOBS=N] [LIMIT=N] [ONLY=id,id]
#   make install PREFIX=/usr/local DESTDIR=

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc
LDLIBS  += -lelf -lz
PREFIX  ?= /usr/local
BINDIR         ?= $(PREFIX)/bin
MANDIR         ?= $(PREFIX)/share/man
BASHCOMPDIR    ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
JOBS    ?= 1

# The pinned test kernel: one setting (see README).
KVER    ?= 6.1.0-47-amd64

LIB_SRCS := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=build/%.o)
CLI_OBJS := build/src/cli/main.o
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/tests/%)

all: livefix

build/%.o: %.c $(wildcard src/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

build/liblivefix.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

livefix: $(CLI_OBJS) build/liblivefix.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) build/liblivefix.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< build/liblivefix.a $(LDLIBS)

unit: livefix $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

vm: livefix
	@tests/vm/run-vm-tests.sh $(KVER)

check: livefix $(UNIT_BINS)
	@tests/check.sh $(KVER) $(UNIT_BINS)

demo: livefix
	@./demo.sh $(KVER)

corpus: livefix
	@tests/corpus/run-kpatch-corpus.sh "$(CORPUS)" $(KVER)

stable-corpus: livefix
	@tests/corpus/run-stable-corpus.sh "$(CORPUS)" $(KVER) $(JOBS)

corpus-selftest:
	@tests/corpus/selftest/run.sh $(KVER)

# The unit names the binary by its installed path.
install: livefix
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 0755 livefix $(DESTDIR)$(BINDIR)/livefix
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 dist/livefix-completion.bash $(DESTDIR)$(BASHCOMPDIR)/livefix
	sed 's|/usr/bin/livefix|$(BINDIR)/livefix|' dist/livefix.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/livefix.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/livefix.service

clean:
	rm -rf build livefix

.PHONY: all unit vm check demo clean corpus stable-corpus corpus-selftest install
