# livefix — live-patch a running Debian kernel from a source patch.
#   make            build ./livefix
#   make demo       the main job: build, load and unload a live patch in a VM
#   make check      every test CI runs (unit + VM), ends "N passed, N failed"
#   make unit       unit tests only
#   make install PREFIX=/usr/local DESTDIR=

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc
LDLIBS  += -lelf -lz
PREFIX  ?= /usr/local

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

clean:
	rm -rf build livefix

.PHONY: all unit vm check demo clean
