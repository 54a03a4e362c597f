# Smart Customs - a plain Makefile.
# make [all] | check | demo | bench | fuzz | valgrind | install | uninstall | clean | deps
# Settings below may be overridden: make PREFIX=/opt/sc, make check SAN=1;
# CPPFLAGS, CFLAGS, CXXFLAGS and LDFLAGS from the environment are honoured.
# Plain `make` never installs packages: `make deps` does, and so do `make demo`
# and `make check` (the README's two commands), which must work on a fresh machine.

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR_I  = $(PREFIX)/bin
MANDIR_I  = $(PREFIX)/share/man
DATADIR_I = $(PREFIX)/share/smart-customs
# ?= would not do for CC and CXX: GNU make defines them already ("origin default")
ifeq ($(origin CC),default)
CC        = cc
endif
ifeq ($(origin CXX),default)
CXX       = c++
endif
FUZZCC   ?= clang
FUZZCXX  ?= clang++
VALGRIND ?= valgrind
SAN      ?= 0
FUZZ_TIME ?= 20
FUZZ_SEED ?= 1

PKGS = jansson libarchive tesseract lept yaml-0.1 libpcre2-8 poppler-glib opencv4

ifeq ($(SAN),1)
BUILD    = build-san
BIN      = $(BUILD)/bin
OPT      = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
BUILD    = build
BIN      = bin
OPT      = -O2 -g
endif
LIBSC    = $(BUILD)/libsc.a

WARN     = -Wall -Wextra -Wno-unused-parameter
DEFS     = -D_GNU_SOURCE -DSC_DATADIR_INSTALLED='"$(DATADIR_I)"'
CFLAGS_ALL   = -std=c11 $(OPT) $(WARN) $(DEFS) -fopenmp -pthread -Ilib $(DEP_CFLAGS) $(CPPFLAGS) $(CFLAGS)
CXXFLAGS_ALL = -std=c++17 $(OPT) $(WARN) $(DEFS) -pthread -Ilib $(DEP_CFLAGS) $(CPPFLAGS) $(CXXFLAGS)
LDFLAGS_ALL  = $(OPT) $(LDFLAGS)
LDLIBS_ALL   = -Wl,--as-needed $(DEP_LIBS) -fopenmp -pthread -lm $(LDLIBS)

# The compiled-in data folder follows PREFIX: the one object that holds it is
# rebuilt when PREFIX changes (make; make install PREFIX=/usr). The programs
# look beside themselves first (<bindir>/../share/smart-customs), so a staged
# or moved tree works too.
DATADIR_STAMP = $(BUILD)/datadir.stamp
ifeq ($(filter clean help,$(MAKECMDGOALS)),)
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(DATADIR_STAMP) 2>/dev/null)" = "$(DATADIR_I)" ] || echo "$(DATADIR_I)" > $(DATADIR_STAMP); })
endif

# pkg-config flags are computed once, after scripts/deps.sh has made sure the
# packages are there; make remakes this included file before anything else.
.DEFAULT_GOAL := all
NODEPS_GOALS = clean uninstall deps help
ifeq ($(filter-out $(NODEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
else
-include $(BUILD)/config.mk
endif

# Only `make deps`, `make demo` and `make check` install what is missing.
DEPS_RUN = $(if $(filter deps demo check,$(MAKECMDGOALS)),scripts/deps.sh,scripts/deps.sh --check)
$(BUILD)/config.mk: scripts/packages.txt scripts/deps.sh
	@mkdir -p $(BUILD)
	@$(DEPS_RUN) || { echo "make: missing dependencies (see above); \`make deps\` installs them" >&2; exit 1; }
	@pkg-config --exists $(PKGS) || { echo "make: pkg-config cannot find: $(PKGS)" >&2; exit 1; }
	@{ echo "DEP_CFLAGS = $$(pkg-config --cflags $(PKGS))"; \
	   echo "DEP_LIBS = $$(pkg-config --libs $(PKGS))"; } > $@

LIB_C    = $(sort $(wildcard lib/*.c))
LIB_CXX  = $(sort $(wildcard lib/*.cpp))
LIB_OBJ  = $(LIB_C:%.c=$(BUILD)/obj/%.o) $(LIB_CXX:%.cpp=$(BUILD)/obj/%.o)
TOOLS    = $(sort $(foreach f,$(wildcard cmd/sc-*.c),$(if $(word 3,$(subst -, ,$(notdir $(f)))),,$(basename $(notdir $(f))))))
# cmd/sc-risk.c is the tool; cmd/sc-risk-learn.c etc. are further parts of it
tool_srcs = cmd/$(1).c $(wildcard cmd/$(1)-*.c)
PROGS    = $(TOOLS:%=$(BIN)/%)
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNITS    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZERS  = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
MAN1     = $(wildcard man/*.1)
MAN5     = $(wildcard man/*.5)
MAN7     = $(wildcard man/*.7)

COMPLETION = completion/smart-customs.bash
COMPDIR_I  = $(PREFIX)/share/bash-completion/completions

.PHONY: all check demo bench fuzz valgrind install uninstall clean deps help
.DELETE_ON_ERROR:

all: $(LIBSC) $(PROGS) $(UNITS)

deps:
	scripts/deps.sh

V ?= 0
Q = $(if $(filter 1,$(V)),,@)

$(BUILD)/obj/lib/util.o: $(DATADIR_STAMP)

$(BUILD)/obj/%.o: %.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(BUILD)/obj/%.o: %.cpp $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CXX     $<")
	$(Q)$(CXX) $(CXXFLAGS_ALL) -MMD -MP -c -o $@ $<

$(LIBSC): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@
	$(if $(Q),@echo "  AR      $@")
	$(Q)ar rcs $@ $^

# one link rule per tool: cmd/sc-x.c plus its parts cmd/sc-x-*.c
define tool_rule
$(BIN)/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(call tool_srcs,$(1))) $(LIBSC)
	@mkdir -p $(BIN)
	$(if $(Q),@echo "  LINK    $$@")
	$(Q)$(CXX) $(LDFLAGS_ALL) -o $$@ $$(filter %.o,$$^) $(LIBSC) $$(LDLIBS_ALL)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIBSC)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LINK    $@")
	$(Q)$(CXX) $(LDFLAGS_ALL) -o $@ $< $(LIBSC) $(LDLIBS_ALL)

# make check: unit tests, data-driven CLI tests, man page lint; one summary.
check: all
	@SC_BIN=$(CURDIR)/$(BIN) SC_UNITS="$(UNITS)" SC_BUILD=$(BUILD) SC_SAN=$(SAN) tests/run.sh

demo: all
	@SC_BIN=$(CURDIR)/$(BIN) scripts/demo.sh

bench: all
	@SC_BIN=$(CURDIR)/$(BIN) tests/bench/run.sh

# Fuzzers: clang + libFuzzer + ASan/UBSan, each run FUZZ_TIME seconds on its
# seed corpus (tests/fuzz/corpus/NAME) plus what it found before (build-fuzz/corpus/NAME).
# A fixed -seed (FUZZ_SEED, 1 by default; 0 lets libFuzzer pick) makes a short pass
# explore the same inputs on every run, so CI repeats what a developer ran.
FUZZ_SAN   = -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJ   = $(LIB_C:%.c=build-fuzz/obj/%.o) $(LIB_CXX:%.cpp=build-fuzz/obj/%.o)
.SECONDARY: $(FUZZ_OBJ)
fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$${f#build-fuzz/}; mkdir -p build-fuzz/corpus/$$n; \
	  ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  $$f -max_total_time=$(FUZZ_TIME) -seed=$(FUZZ_SEED) -rss_limit_mb=2048 -max_len=65536 -timeout=20 \
	      build-fuzz/corpus/$$n $$( [ -d tests/fuzz/corpus/$$n ] && echo tests/fuzz/corpus/$$n ) \
	      > build-fuzz/$$n.log 2>&1 \
	  || { tail -40 build-fuzz/$$n.log; echo "fuzz: $$n: crashed; add the input above to tests/fuzz/corpus/$$n/ as a regression"; exit 1; }; \
	  sed -nE 's/^#([0-9]+)[[:space:]]+DONE[[:space:]]+cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).*exec\/s: ([0-9]+).*/\1 \2 \3 \4 \5/p' build-fuzz/$$n.log | tail -1 | \
	  { read -r ex cov ft corp rate || { echo "fuzz: $$n: no summary (see build-fuzz/$$n.log)"; exit 1; }; \
	    printf 'fuzz: %-24s %9s execs %6s/s  cov %5s  ft %6s  corpus %5s  %ss\n' $$n $$ex $$rate $$cov $$ft $$corp $(FUZZ_TIME); } || exit 1; \
	done; echo "fuzz: all targets ran clean"

# Valgrind over the CLI tests: every program the tests run goes through
# memcheck; a process with an error (definite leaks included) leaves a log.
# OCR and wood tests are left out by default (tesseract under memcheck takes
# minutes a page): make valgrind VALGRIND_TESTS="tests/cli/*.test" runs all.
VALGRIND_TESTS ?= $(filter-out tests/cli/ocr% tests/cli/wood% tests/cli/install% tests/cli/readme% tests/cli/report-chromium%,$(sort $(wildcard tests/cli/*.test)))
VG_DIR = $(BUILD)/valgrind
valgrind: all
	@rm -rf $(VG_DIR) && mkdir -p $(VG_DIR)/bin $(VG_DIR)/log
	@for t in $(TOOLS); do \
	  printf '#!/bin/sh\nexec %s -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --suppressions=%s --log-file=%s/%%p.log %s "$$@"\n' \
	    "$(VALGRIND)" "$(CURDIR)/tests/valgrind.supp" "$(CURDIR)/$(VG_DIR)/log" "$(CURDIR)/$(BIN)/$$t" > $(VG_DIR)/bin/$$t; \
	  chmod 755 $(VG_DIR)/bin/$$t; done
	@SC_VALGRIND=1 SC_BIN=$(CURDIR)/$(VG_DIR)/bin tests/clitest.sh $(VALGRIND_TESTS); st=$$?; \
	 runs=$$(ls $(VG_DIR)/log | wc -l); bad=$$(find $(VG_DIR)/log -name '*.log' -size +0 | wc -l); \
	 echo "valgrind: $$runs program runs, $$bad with errors (logs: $(VG_DIR)/log)"; \
	 for f in $$(find $(VG_DIR)/log -name '*.log' -size +0 | head -5); do head -30 $$f; done; \
	 [ $$st = 0 ] && [ $$bad = 0 ]

build-fuzz/obj/%.o: %.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	$(FUZZCC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -std=c11 -fopenmp $(WARN) $(DEFS) -Ilib $(DEP_CFLAGS) -c -o $@ $<

build-fuzz/obj/%.o: %.cpp $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	$(FUZZCXX) $(FUZZ_SAN) -fno-sanitize=vptr -fsanitize=fuzzer-no-link -std=c++17 $(WARN) $(DEFS) -Ilib $(DEP_CFLAGS) -c -o $@ $<

build-fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	$(FUZZCC) $(FUZZ_SAN) -fsanitize=fuzzer -std=c11 $(DEFS) -Ilib $(DEP_CFLAGS) -o $@ $< $(FUZZ_OBJ) \
	  -lstdc++ -fopenmp -Wl,--as-needed $(DEP_LIBS) -lm -pthread

install: all
	install -d $(DESTDIR)$(BINDIR_I) $(DESTDIR)$(MANDIR_I)/man1 $(DESTDIR)$(MANDIR_I)/man5 \
	           $(DESTDIR)$(MANDIR_I)/man7 $(DESTDIR)$(DATADIR_I) $(DESTDIR)$(COMPDIR_I)
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR_I)
	for t in $(TOOLS); do install -m 644 $(COMPLETION) $(DESTDIR)$(COMPDIR_I)/$$t; done
	$(if $(MAN1),install -m 644 $(MAN1) $(DESTDIR)$(MANDIR_I)/man1)
	$(if $(MAN5),install -m 644 $(MAN5) $(DESTDIR)$(MANDIR_I)/man5)
	$(if $(MAN7),install -m 644 $(MAN7) $(DESTDIR)$(MANDIR_I)/man7)
	if [ -d rules ]; then cp -R rules/. $(DESTDIR)$(DATADIR_I)/; fi

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR_I)/%)
	rm -f $(MAN1:man/%=$(DESTDIR)$(MANDIR_I)/man1/%) $(MAN5:man/%=$(DESTDIR)$(MANDIR_I)/man5/%) \
	      $(MAN7:man/%=$(DESTDIR)$(MANDIR_I)/man7/%)
	rm -rf $(DESTDIR)$(DATADIR_I)
	rm -f $(TOOLS:%=$(DESTDIR)$(COMPDIR_I)/%)
	@# the folders install made, when they are left empty (never the staging root)
	for d in $(COMPDIR_I) $(PREFIX)/share/bash-completion $(MANDIR_I)/man1 $(MANDIR_I)/man5 \
	         $(MANDIR_I)/man7 $(MANDIR_I) $(PREFIX)/share $(BINDIR_I) $(if $(DESTDIR),$(PREFIX)); do \
	  [ -d "$(DESTDIR)$$d" ] && rmdir --ignore-fail-on-non-empty "$(DESTDIR)$$d"; :; done
	@if [ -n "$(DESTDIR)" ]; then d="$(PREFIX)"; while d=$${d%/*}; [ -n "$$d" ]; do \
	  rmdir --ignore-fail-on-non-empty "$(DESTDIR)$$d" 2>/dev/null || break; done; fi

clean:
	rm -rf build build-san build-fuzz bin lib/libsc.a   # lib/libsc.a: where older trees built it

help:
	@sed -n '1,6p' Makefile

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
