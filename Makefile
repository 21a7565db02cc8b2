# Makefile for libreflink, the reflink command and their tests.
# One place lists the sources and flags; `make SAN=1` builds with ASan+UBSan
# into build-san/, `make CC=clang` works the same.

VERSION := $(shell sed -n 's/^\#define RL_VERSION_STRING "\(.*\)"/\1/p' include/reflink.h)
SOMAJOR := $(firstword $(subst ., ,$(VERSION)))
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
CC      ?= cc

WARN := -Wall -Wextra -Werror -Wshadow -Wcast-qual -Wstrict-prototypes \
        -Wmissing-prototypes -Wpointer-arith -Wvla -Wformat=2 -Wwrite-strings
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -Iinclude
LDLIBS  += -lpthread

ifeq ($(SAN),1)
B := build-san
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
else
B ?= build
endif

# The library is laid out by concern (lib/common, lib/file, lib/tree...);
# object basenames stay unique across folders (ar keeps basenames only).
LIB_SRC := $(wildcard lib/*/*.c)
LIB_HDR := $(wildcard lib/*/*.h)
CLI_SRC := $(wildcard cli/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
PIC_OBJ := $(LIB_SRC:%.c=$(B)/pic/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o)

STATIC := $(B)/libreflink.a
SHARED := $(B)/libreflink.so.$(VERSION)
BIN    := $(B)/reflink
UNIT   := $(B)/unit-tests

.PHONY: all check check-san asan deps install uninstall demo bench python sdist clean headertest fuzz
all: $(STATIC) $(SHARED) $(BIN) $(B)/reflink.pc $(UNIT)

$(B)/lib/%.o: lib/%.c $(LIB_HDR) include/reflink.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden -c -o $@ $<
$(B)/pic/lib/%.o: lib/%.c $(LIB_HDR) include/reflink.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden -fPIC -c -o $@ $<
$(B)/cli/%.o: cli/%.c cli/*.h include/reflink.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(B)/tests/unit/%.o: tests/unit/%.c tests/unit/*.h include/reflink.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(STATIC): $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^
$(SHARED): $(PIC_OBJ)
	$(CC) -shared -Wl,-soname,libreflink.so.$(SOMAJOR) $(LDFLAGS) -o $@ $^ $(LDLIBS)
	ln -sf libreflink.so.$(VERSION) $(B)/libreflink.so.$(SOMAJOR)
	ln -sf libreflink.so.$(SOMAJOR) $(B)/libreflink.so
$(BIN): $(CLI_OBJ) $(STATIC)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(UNIT): $(UNIT_OBJ) $(STATIC)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(B)/reflink.pc: reflink.pc.in include/reflink.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

# The public header must compile alone, as C and as C++.
headertest:
	@mkdir -p $(B)
	@echo '#include "reflink.h"' | $(CC) -std=c11 $(WARN) -Iinclude -x c -fsyntax-only -
	@echo '#include "reflink.h"' | $(CXX) -Wall -Wextra -Werror -Wshadow -Iinclude -x c++ -fsyntax-only -

# Test-only tools, built with the suite.
$(B)/fiemap: tests/tools/fiemap.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# A FUSE passthrough (libfuse3, installed by deps) for tests/fs/fuse.sh;
# without libfuse3-dev (deps not run as root) that test says why instead.
$(B)/passfs: tests/tools/passfs.c | deps
	@mkdir -p $(@D)
	@if pkg-config --exists fuse3; then \
	  cmd="$(CC) $(ALL_CFLAGS) $$(pkg-config --cflags fuse3) $(LDFLAGS) -o $@ $< $$(pkg-config --libs fuse3)"; \
	  echo "$$cmd" && $$cmd; \
	else echo "passfs: no libfuse3-dev: tests/fs/fuse.sh cannot run" >&2; fi

check: deps all headertest $(B)/fiemap $(B)/passfs
	B=$(B) tests/run.sh

# Installs missing test tools with apt (as root), so a fresh machine
# needs nothing but `make check`.
deps:
	@tests/deps.sh

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
asan check-san:
	$(MAKE) SAN=1 check

demo: $(BIN)
	B=$(B) scripts/demo.sh

bench: $(BIN)
	B=$(B) bench/run.sh

# libFuzzer (clang): each target for FUZZ_SECONDS; make check runs 5 s each.
FUZZ_SECONDS ?= 300
fuzz:
	B=$(B) tests/fuzz/run.sh $(FUZZ_SECONDS)

# Debian marks its Python externally managed (PEP 668); this installs into
# /usr/local, away from Debian's own files, without network.
python:
	PIP_BREAK_SYSTEM_PACKAGES=1 /usr/bin/python3 -m pip install --no-build-isolation ./python

# The Python distribution libreflink: sdist and wheel into $(B)/dist, offline
# (Debian's python3-build and python3-setuptools).
sdist:
	/usr/bin/python3 -m build --no-isolation --outdir $(B)/dist python

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig \
	  $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/reflink
	install -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED) $(DESTDIR)$(LIBDIR)/
	ln -sf libreflink.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libreflink.so.$(SOMAJOR)
	ln -sf libreflink.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libreflink.so
	install -m 644 include/reflink.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(B)/reflink.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 644 docs/reflink.1 $(DESTDIR)$(PREFIX)/share/man/man1/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/reflink $(DESTDIR)$(LIBDIR)/libreflink.* \
	  $(DESTDIR)$(PREFIX)/include/reflink.h $(DESTDIR)$(LIBDIR)/pkgconfig/reflink.pc \
	  $(DESTDIR)$(PREFIX)/share/man/man1/reflink.1

clean:
	rm -rf build build-san build-clang
