# nsrun: `make` builds everything from a fresh clone, `make demo` shows the
# isolation tour, `make test` runs every check, `make bench` the benchmarks.

TS_SOURCES := $(shell find src -name '*.ts' 2>/dev/null)

# runs a command in new PID and mount namespaces, with a /proc that shows their processes only;
# PID 1 there is a shell that waits for the command, reaping what is orphaned to it meanwhile as an
# init does (a holder that rm killed), which node as PID 1 would leave as zombies
ISOLATED := unshare --pid --fork --mount-proc --propagation private sh -c '"$$@"; exit $$?' sh

.PHONY: all build demo test test-setup test-suite test-node24 lint typecheck bench fuzz soak clean rootfs install uninstall FORCE
all: build

build: node_modules/.installed libexec/nsrun-helper dist/.built dist/nsrun.1

# `npm install --no-save` installs what package-lock.json pins, like `npm ci`; npm ci
# itself refuses a lock that lacks other platforms' optional packages (rollup's),
# which a registry without them produces.
node_modules/.installed: package.json package-lock.json
	npm install --no-save --no-audit --no-fund
	@touch $@

# the helper, with musl-gcc: as root on Debian the build installs musl-tools when it is missing, elsewhere
# it says in one line what that costs and how to fix it; helper/Makefile rebuilds the helper when its
# sources or its compiler change, so installing musl-tools later is enough
libexec/nsrun-helper: FORCE
	@scripts/ci-setup.sh helper
	@$(MAKE) --no-print-directory -C helper OUT=../libexec

# tsc writes the library (dist/index.js and its types); the command runs a bundle of the CLI, dist/nsrun.cjs
dist/.built: node_modules/.installed libexec/nsrun-helper tsconfig.json scripts/bundle.mjs bin/nsrun $(TS_SOURCES)
	npx tsc -p tsconfig.json
	node scripts/bundle.mjs
	@touch $@

# nsrun(1), written from the option tables that --help shows (src/cli/manpage.ts)
dist/nsrun.1: dist/.built scripts/manpage.mjs package.json
	node scripts/manpage.mjs

demo: build
	@scripts/demo.sh

# a small root filesystem in ./rootfs for `nsrun --rootfs ./rootfs` (busybox-static, else the host's programs)
rootfs:
	scripts/mkrootfs.sh rootfs

# lint: the helper builds with -Werror above; the TypeScript is type-checked strictly, tests included,
# and test/types/ checks the published declarations, expected type errors included
lint typecheck: build
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p test/tsconfig.json --noEmit
	npx tsc -p test/types/tsconfig.json

# the system tools the tests drive and the test user: installed as root, else named with the command that installs them
test-setup:
	@scripts/ci-setup.sh test

# the whole suite twice: on the machine's node (20: nsrun spawns the helper and waits) and on
# Node 24 LTS (nsrun hands its process to the helper), which scripts/node24.sh installs into .node24/
test: test-setup build lint
	$(MAKE) --no-print-directory test-suite
	$(MAKE) --no-print-directory test-node24

test-node24: build
	$(MAKE) --no-print-directory test-suite NODE="$$(scripts/node24.sh)"

# the suite on one node, the first on PATH or NODE=/path/to/node: the tests and bin/nsrun run on it.
# The soak counts processes and namespaces, so it runs after the rest, in a PID namespace of its own
# where it sees only its own processes, and its zombies are reaped (see ISOLATED)
ON_NODE = $(if $(NODE),env PATH="$(dir $(NODE)):$$PATH")
test-suite: build
	$(ON_NODE) node --version
	$(ON_NODE) npx vitest run --exclude 'test/soak/**'
	$(ON_NODE) $(ISOLATED) npx vitest run test/soak

# the long soak and fault injection (RELIABILITY.md), in a PID and mount namespace of their own
# so that what they count is theirs alone, even on a machine that is running other things
soak: build
	$(ISOLATED) env NSRUN_SOAK_SEQUENTIAL=10000 NSRUN_SOAK_CONCURRENT=500 NSRUN_FAULTS=500 \
	  npx vitest run --no-file-parallelism test/soak test/e2e/torture.test.ts

# libFuzzer on the helper's config reader (needs clang) for FUZZ_SECONDS (600 by default; CI runs 60)
fuzz:
	@scripts/ci-setup.sh fuzz
	$(MAKE) -C helper OUT=../libexec fuzz FUZZ_SECONDS=$(or $(FUZZ_SECONDS),600)

# the network part (scripts/bench-network.sh) runs in an outer network namespace of its own, as root
bench: build
	@NODE24="$$(scripts/node24.sh)" node scripts/bench.mjs; a=$$?; scripts/bench-network.sh; b=$$?; [ $$a -eq 0 ] && [ $$b -eq 0 ]

clean:
	rm -rf dist libexec

# install: as a distribution package lays nsrun out: the command in $(PREFIX)/bin, a link to
# $(PREFIX)/lib/nsrun, which holds the files of the npm package (`files` in package.json: the
# JavaScript, the static helper in libexec/; it has no run-time dependencies); the man page in
# share/man/man1; completions where bash-completion, zsh and fish look for them.
PREFIX ?= /usr/local
NSRUN_LIB = $(DESTDIR)$(PREFIX)/lib/nsrun
BASH_COMPLETIONS = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSH_FUNCTIONS = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISH_COMPLETIONS = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
MAN1 = $(DESTDIR)$(PREFIX)/share/man/man1

install: build
	rm -rf $(NSRUN_LIB)
	mkdir -p $(NSRUN_LIB) $(DESTDIR)$(PREFIX)/bin $(BASH_COMPLETIONS) $(ZSH_FUNCTIONS) $(FISH_COMPLETIONS) $(MAN1)
	npm pack --ignore-scripts --silent --pack-destination $(NSRUN_LIB) >/dev/null
	tar -xzf $(NSRUN_LIB)/nsrun-*.tgz -C $(NSRUN_LIB) --strip-components=1 --no-same-owner
	rm -rf $(NSRUN_LIB)/nsrun-*.tgz $(NSRUN_LIB)/helper $(NSRUN_LIB)/scripts
	ln -sfn ../lib/nsrun/bin/nsrun $(DESTDIR)$(PREFIX)/bin/nsrun
	bin/nsrun completion bash > $(BASH_COMPLETIONS)/nsrun
	bin/nsrun completion zsh > $(ZSH_FUNCTIONS)/_nsrun
	bin/nsrun completion fish > $(FISH_COMPLETIONS)/nsrun.fish
	install -m 644 dist/nsrun.1 $(MAN1)/nsrun.1

uninstall:
	rm -rf $(NSRUN_LIB) $(DESTDIR)$(PREFIX)/bin/nsrun $(BASH_COMPLETIONS)/nsrun $(ZSH_FUNCTIONS)/_nsrun \
	  $(FISH_COMPLETIONS)/nsrun.fish $(MAN1)/nsrun.1
