# streamstat — PGXS build.  `make && make install`, then `make installcheck`
# against a running server; scripts/test.sh runs everything on a throwaway one.

EXTENSION = streamstat
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" streamstat.control)

MODULE_big = streamstat
# Every C file of src/ and of each folder below it (one folder a stage of
# the path of a record): a new folder builds without a Makefile change.
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c src/*/*.c src/*/*/*.c)))

# The install script is assembled from one SQL piece per feature, in this
# order (types before the functions that use them).
SQL_PARTS = \
	src/streamstat.sql \
	src/stats/statsummary.sql \
	src/stats/regrsummary.sql \
	src/stats/time_bucket.sql \
	src/stats/ewma.sql \
	src/stats/sparkline.sql \
	src/stats/pctsketch.sql \
	src/stats/counter.sql \
	src/stats/gapfill.sql \
	src/ingest/ingest.sql \
	src/ingest/auth.sql \
	src/rollup/rollup.sql \
	src/writer/indexes.sql \
	src/ingest/ilp_keys.sql
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
# Released install scripts (frozen: never edited once released) and the
# upgrade scripts between releases, one per release.
DATA = $(filter-out $(DATA_built),$(wildcard sql/$(EXTENSION)--*.sql))

# pg_regress: one script per feature in test/sql/ (expected output in
# test/expected/), discovered from the files.
# `make installcheck` runs them against a server without streamstat
# preloaded, except REGRESS_PRELOAD (they inspect what only the preload
# defines), which scripts/test.sh runs on its preloaded instance.
REGRESS_PRELOAD = settings indexes
REGRESS_ALL = $(sort $(basename $(notdir $(wildcard test/sql/*.sql))))
REGRESS = $(filter-out $(REGRESS_PRELOAD),$(REGRESS_ALL))
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)

SHLIB_LINK += -lz -lssl -lcrypto -llz4

# Warnings are errors in this tree; packagers may say `make WERROR=`.
WERROR ?= -Werror
PG_CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers $(WERROR) -Isrc
# Also for the LLVM bitcode of src/*/ files, which include "streamstat.h".
PG_CPPFLAGS += -Isrc

EXTRA_CLEAN = tmp_check $(patsubst %.c,%,$(wildcard test/unit/test_*.c)) test/unit/san test/unit/*.o \
	test/fuzz/fuzz_ilp test/fuzz/fuzz_http test/fuzz/fuzz_auth test/fuzz/fuzz_codecs test/bench/bench_parse

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks no header dependencies: rebuild every object when a header
# changes (a struct changed under a stale object is a silent memory bug).
STREAMSTAT_HEADERS = $(wildcard src/*.h src/*/*.h src/*/*/*.h)
$(OBJS): $(STREAMSTAT_HEADERS)
$(OBJS:.o=.bc): $(STREAMSTAT_HEADERS)

$(DATA_built): $(SQL_PARTS) streamstat.control Makefile
	@mkdir -p $(dir $@)
	( printf '%s\n\n' "/* $(EXTENSION)--$(EXTVERSION).sql: assembled by make from src; do not edit */"; \
	  printf '%s\n' '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit'; \
	  for f in $(SQL_PARTS); do printf '\n-- %s\n' "$$f"; cat "$$f"; done ) > $@

# The regression test names, for scripts/test.sh (preloaded instance).
print-regress:
	@echo $(REGRESS_ALL)

# The TAP tests (test/t, each starts its own preloaded clusters) with the
# installed PostgreSQL and streamstat: `make prove_installcheck`, not as root.
PROVE_TESTS = test/t/*.pl
PROVE_FLAGS = -I test/lib
prove_installcheck:
	$(prove_installcheck)
.PHONY: prove_installcheck

# C unit tests of the pure-C parts (src/protocol/ and src/storage/codecs/:
# no PostgreSQL headers, checked by scripts/pure_check.sh), each a TAP program test/unit/test_NAME built
# from test/unit/test_NAME.c and all of PURE_SRCS (ilp_ecdsa.c links
# OpenSSL's libcrypto, nothing of PostgreSQL).
PURE_SRCS = $(sort $(wildcard src/protocol/*.c src/storage/codecs/*.c))
PURE_HEADERS = $(wildcard src/protocol/*.h src/storage/codecs/*.h)
PURE_LIBS = -lz -lcrypto -llz4 -lm
UNIT_CFLAGS = -O2 -g -Wall -Wextra -Werror -Isrc
UNIT_TESTS = $(patsubst %.c,%,$(wildcard test/unit/test_*.c))
unit: $(UNIT_TESTS)
test/unit/test_%: test/unit/test_%.c test/unit/tap.h $(PURE_SRCS) $(PURE_HEADERS)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(PURE_SRCS) $(PURE_LIBS)

# The same unit tests under AddressSanitizer and UndefinedBehaviorSanitizer
# (test/unit/san/test_NAME); scripts/test.sh runs both builds.
SAN_CC ?= $(FUZZ_CC)
SAN_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -Wall -Wextra -Werror -Isrc
SAN_TESTS = $(patsubst test/unit/%.c,test/unit/san/%,$(wildcard test/unit/test_*.c))
unit-san: $(SAN_TESTS)
test/unit/san/test_%: test/unit/test_%.c test/unit/tap.h $(PURE_SRCS) $(PURE_HEADERS)
	@mkdir -p test/unit/san
	$(SAN_CC) $(SAN_CFLAGS) -o $@ $< $(PURE_SRCS) $(PURE_LIBS)
.PHONY: print-regress unit unit-san

# libFuzzer targets (clang-14, libfuzzer-14-dev), ASan + UBSan: the line
# protocol parser, the HTTP request parser with gzip bodies, and the
# line-protocol authentication handshake, the column codecs' decoders;
# scripts/fuzz.sh builds and runs
# them over test/fuzz/corpus/<target>.
FUZZ_CC ?= clang-14
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -Wall -Wextra -Werror -Isrc
FUZZ_TARGETS = test/fuzz/fuzz_ilp test/fuzz/fuzz_http test/fuzz/fuzz_auth test/fuzz/fuzz_codecs
CODEC_SRCS = $(sort $(wildcard src/storage/codecs/*.c))
test/fuzz/fuzz_codecs: test/fuzz/fuzz_codecs.c $(CODEC_SRCS) $(wildcard src/storage/codecs/*.h)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ test/fuzz/fuzz_codecs.c $(CODEC_SRCS) -llz4
fuzz: $(FUZZ_TARGETS)
test/fuzz/fuzz_ilp: test/fuzz/fuzz_ilp.c src/protocol/ilp_parse.c src/protocol/ilp.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ test/fuzz/fuzz_ilp.c src/protocol/ilp_parse.c
test/fuzz/fuzz_http: test/fuzz/fuzz_http.c src/protocol/http_parse.c src/protocol/http_write.c \
		src/protocol/http_gzip.c src/protocol/http.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ test/fuzz/fuzz_http.c src/protocol/http_parse.c \
		src/protocol/http_write.c src/protocol/http_gzip.c -lz
test/fuzz/fuzz_auth: test/fuzz/fuzz_auth.c src/protocol/ilp_auth.c src/protocol/ilp_ecdsa.c \
		src/protocol/ilp_auth.h src/protocol/ilp_ecdsa.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ test/fuzz/fuzz_auth.c src/protocol/ilp_auth.c \
		src/protocol/ilp_ecdsa.c -lcrypto
.PHONY: fuzz
