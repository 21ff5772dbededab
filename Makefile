# lakehouse - one GNU Makefile. `make` builds build/lakehouse; see README.md.
#   make            release build (build/lakehouse)
#   make asan       ASan+UBSan build (build/asan/lakehouse)
#   make test       set-up if needed, build both, run every test (unit + integration, both builds)
#   make run        set-up if needed, build, start the server with demo data
#   make bench      benchmarks with ratios against DuckDB run directly

.DEFAULT_GOAL := all
SHELL := /bin/bash
# `make V=1` shows full commands.
Q := $(if $(V),,@)

DUCKDB   := third_party/duckdb
PKGS     := libmicrohttpd jansson sqlite3 libcrypto libcurl inih tesseract lept libutf8proc
# libmupdf-dev ships static libraries only, and its .pc file leaves out harfbuzz.
MUPDF_CFLAGS = $(shell pkg-config --cflags mupdf harfbuzz 2>/dev/null)
MUPDF_LIBS   = $(shell pkg-config --libs --static mupdf 2>/dev/null) $(shell pkg-config --libs harfbuzz 2>/dev/null)
CC       ?= cc
WARN     := -Wall -Wextra -Werror -Wshadow -Wvla -Wstrict-prototypes -Wwrite-strings \
            -Wformat=2 -Wimplicit-fallthrough -fno-common
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(MUPDF_CFLAGS)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(MUPDF_LIBS)
INCLUDES := $(addprefix -Isrc/,base storage catalog sql lake http cli demo extract pii vector embed llm search auth audit) -isystem $(DUCKDB)/include
LDLIBS    = -L$(DUCKDB)/lib -lduckdb -Wl,-rpath,$(CURDIR)/$(DUCKDB)/lib $(PKG_LIBS) -lpthread -lm

SRCS     := $(sort $(wildcard src/*/*.c))
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/u_*.c))
BENCH_SRCS := $(sort $(wildcard bench/*.c))
# The web UI (web/, flat) is embedded into the binary: tools/embed_web.c turns it into
# build/gen/web_assets.c (name, content type, bytes, ETag). Nothing generated is committed.
WEB_FILES := $(sort $(wildcard web/*))
WEB_GEN   := build/gen/web_assets.c

# Per-configuration flags; objects never mix (build/release, build/asan).
release_CFLAGS := -O2 -g
asan_CFLAGS    := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
release_LDFLAGS :=
asan_LDFLAGS    := -fsanitize=address,undefined

define config_rules
$(1)_OBJS := $$(patsubst src/%.c,build/$(1)/obj/%.o,$$(LIB_SRCS)) build/$(1)/obj/gen/web_assets.o
build/$(1)/obj/%.o: src/%.c | deps
	@mkdir -p $$(@D)
	@$(if $(V),,echo "  CC    $$@")
	$(Q)$$(CC) -std=c11 $$(WARN) $$($(1)_CFLAGS) $$(INCLUDES) $$(PKG_CFLAGS) -MMD -MP -c $$< -o $$@
build/$(1)/obj/gen/web_assets.o: $(WEB_GEN) src/http/web_assets.h
	@mkdir -p $$(@D)
	@$(if $(V),,echo "  CC    $$@")
	$(Q)$$(CC) -std=c11 $$(WARN) $$($(1)_CFLAGS) -Isrc/http -c $$< -o $$@
build/$(1)/liblh.a: $$($(1)_OBJS)
	@rm -f $$@
	$(Q)ar rcs $$@ $$^
build/$(1)/lakehouse: build/$(1)/obj/main.o build/$(1)/liblh.a
	@$(if $(V),,echo "  LINK  $$@")
	$(Q)$$(CC) $$($(1)_LDFLAGS) -o $$@ $$^ $$(LDLIBS)
build/$(1)/tests/%: tests/unit/%.c build/$(1)/liblh.a
	@mkdir -p $$(@D)
	@$(if $(V),,echo "  TEST  $$@")
	$(Q)$$(CC) -std=c11 $$(WARN) -Wno-unused-parameter $$($(1)_CFLAGS) $$(INCLUDES) $$(PKG_CFLAGS) $$(shell pkg-config --cflags cmocka) \
	    -o $$@ $$< build/$(1)/liblh.a $$($(1)_LDFLAGS) $$(LDLIBS) $$(shell pkg-config --libs cmocka)
build/$(1)/bench/%: bench/%.c build/$(1)/liblh.a
	@mkdir -p $$(@D)
	@$(if $(V),,echo "  BENCH $$@")
	$(Q)$$(CC) -std=c11 $$(WARN) $$($(1)_CFLAGS) $$(INCLUDES) $$(PKG_CFLAGS) -o $$@ $$< build/$(1)/liblh.a $$($(1)_LDFLAGS) $$(LDLIBS)
$(1)_UNITS := $$(patsubst tests/unit/%.c,build/$(1)/tests/%,$$(UNIT_SRCS))
-include $$($(1)_OBJS:.o=.d) build/$(1)/obj/main.d
endef
$(foreach c,release asan,$(eval $(call config_rules,$(c))))

.PHONY: all asan deps setup test unit integration run bench clean check-style FORCE
.SECONDARY:

build/tools/embed_web: tools/embed_web.c | deps
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC    $@")
	$(Q)$(CC) -std=c11 $(WARN) -O2 -o $@ $< $(shell pkg-config --cflags --libs libcrypto 2>/dev/null)
# Rewritten only when the list of web files changes, so a removed file regenerates too.
build/gen/web.list: FORCE
	@mkdir -p $(@D)
	@echo '$(WEB_FILES)' | cmp -s - $@ 2>/dev/null || echo '$(WEB_FILES)' > $@
$(WEB_GEN): build/tools/embed_web build/gen/web.list $(WEB_FILES)
	@$(if $(V),,echo "  GEN   $@")
	$(Q)build/tools/embed_web $@ $(WEB_FILES)

all: build/lakehouse
build/lakehouse: build/release/lakehouse
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@

asan: build/asan/lakehouse

# Set-up runs only when something is missing (scripts/setup is idempotent anyway).
deps:
	@if ! pkg-config --exists $(PKGS) mupdf harfbuzz cmocka || ! command -v gs >/dev/null \
	    || [ ! -f $(DUCKDB)/.stamp ] || ! command -v chromium >/dev/null \
	    || [ ! -f node_modules/playwright-core/package.json ]; then scripts/setup; fi

setup:
	scripts/setup

unit-release: $(release_UNITS)
unit-asan: $(asan_UNITS)

test: deps
	@$(MAKE) --no-print-directory all asan $(release_UNITS) $(asan_UNITS)
	tests/run

run: deps
	@$(MAKE) --no-print-directory all
	build/lakehouse serve --demo-scale 1

bench: deps
	@$(MAKE) --no-print-directory all $(patsubst bench/%.c,build/release/bench/%,$(BENCH_SRCS))
	bench/run

check-style:
	tools/check-style

clean:
	rm -rf build
