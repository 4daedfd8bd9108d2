# Thin wrapper over CMake. `make run` and `make test` set the machine up first.
BUILD ?= build
BUILD_ASAN ?= build-asan
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all setup build quiet-build run run-metal shell shell-metal test test-fast test-asan bench clean disk

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# The image that run and run-metal boot.
IMAGE ?= $(BUILD)/boot.cpio

# What run and run-metal print is the system's alone: the build's output goes to
# $(BUILD)/build.log, shown only when the build fails.
quiet-build:
	@mkdir -p $(BUILD)
	@$(MAKE) --no-print-directory build >$(BUILD)/build.log 2>&1 || \
		{ cat $(BUILD)/build.log; echo "make: the build failed (log: $(BUILD)/build.log)" >&2; exit 1; }

# The default disk: build/disk.img, ext2 with the boot image's files (scripts/make-disk.sh, with
# e2fsprogs' mke2fs), DISK_MIB MiB. Made once: a disk keeps what the system wrote on it, so
# `make disk` does not replace one that exists (remove it to start afresh). DISK=FILE boots
# run, shell, run-metal and shell-metal with a disk: the filesystem service serves / from it.
DISK_IMAGE ?= $(BUILD)/disk.img
DISK_MIB ?= 64
DISK ?=
# NET=user[,RULE]... gives run, shell, run-metal and shell-metal a network card (eclipse-sim
# --net, QEMU's -netdev user through scripts/run-metal.sh): NET=user,hostfwd=tcp::8080-:80.
NET ?=

disk: quiet-build
	@if [ -e $(DISK_IMAGE) ]; then echo "make: $(DISK_IMAGE) exists: kept (remove it for a new one)"; \
	else bash scripts/make-disk.sh $(IMAGE) $(DISK_IMAGE) $(DISK_MIB); fi

# Boots to a shell on the console (eclipse-sim --shell): busybox sh, with the services up and
# their messages in the kernel log (dmesg). `exit` starts a new shell; `poweroff` ends the run,
# Ctrl-A x stops it at once. shell-metal does the same on the pc kernel under QEMU.
shell: quiet-build
	@$(BUILD)/eclipse-sim --image=$(IMAGE) $(if $(DISK),--disk=$(DISK)) $(if $(NET),--net=$(NET)) --shell

shell-metal: quiet-build
	@DISK=$(DISK) NET=$(NET) bash scripts/run-metal.sh $(BUILD)/eclipse-pc $(IMAGE) shell

# Boots Eclipse OS from the default image (build/boot.cpio) for 12 seconds of virtual time,
# which take milliseconds: init's phases, the five services, two heartbeats with status
# tables, then the ordered shutdown, and eclipse-sim exits 0. The same transcript as
# tests/system/golden/boot.txt. RUN_FLAGS replaces the options: `make run RUN_FLAGS=` runs
# until Ctrl-C, at the pace of real time when the terminal is watched (eclipse-sim --pace).
# The recipe ends with the system's status, as eclipse-sim does (make then says "Error N").
RUN_FLAGS ?= --max-time=12s

run: quiet-build
	@$(BUILD)/eclipse-sim --image=$(IMAGE) $(if $(DISK),--disk=$(DISK)) $(if $(NET),--net=$(NET)) $(RUN_FLAGS)

# The same kernel on bare metal: QEMU boots build/eclipse-pc (multiboot) with the image as its
# module, COM1 on this terminal, and nothing else on it (scripts/run-metal.sh). METAL_ARGS is
# the kernel command line (max-time=, trace=, max-procs=; `make run-metal METAL_ARGS=` runs
# until Ctrl-C, which asks init to shut down; Ctrl-A X quits QEMU). The recipe ends with the
# system's status, as run's does.
METAL_ARGS ?= max-time=12s

run-metal: quiet-build
	@DISK=$(DISK) NET=$(NET) bash scripts/run-metal.sh $(BUILD)/eclipse-pc $(IMAGE) "$(METAL_ARGS)"

# The whole suite, then again with the simulator and the unit tests under ASan and UBSan.
test: test-fast test-asan

test-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

test-asan: setup
	@cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DECLIPSE_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_ASAN) -j$(JOBS)
	ctest --test-dir $(BUILD_ASAN) --output-on-failure -j$(JOBS)

bench: build
	@bash bench/run.sh $(BUILD)

# libFuzzer on every parser of outside input (tests/fuzz/README.md), built by clang with ASan
# and UBSan in $(BUILD_FUZZ): each of FUZZ_TARGETS for FUZZ_SECONDS in turn, on one core. The
# corpora grow in $(BUILD_FUZZ)/fuzz-corpus/; a crashing input lands in $(BUILD_FUZZ)/fuzz-crashes/.
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= elf cpio config syscall gdb ext2

.PHONY: fuzz
fuzz: setup
	@cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DECLIPSE_FUZZ=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_FUZZ) -j$(JOBS) --target fuzz_targets
	@bash tests/fuzz/run_fuzz.sh $(BUILD_FUZZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
