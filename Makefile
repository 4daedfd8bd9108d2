# Thin wrapper over CMake. `make run` and `make test` set the machine up first.
BUILD ?= build
BUILD_ASAN ?= build-asan
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all setup build run run-metal test test-fast test-asan bench clean

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Boots Eclipse OS from the default image (build/boot.cpio) for 12 seconds of virtual time,
# which take milliseconds: init's phases, the five services, two heartbeats with status
# tables, then the ordered shutdown, and eclipse-sim exits 0. The same transcript as
# tests/system/golden/boot.txt. RUN_FLAGS replaces the options: `make run RUN_FLAGS=` runs
# until Ctrl-C, at the pace of real time when the terminal is watched (eclipse-sim --pace).
RUN_FLAGS ?= --max-time=12s

run: build
	$(BUILD)/eclipse-sim $(RUN_FLAGS)

# The same kernel on bare metal: QEMU boots build/eclipse-pc (multiboot) with the default image
# as its module, COM1 on this terminal. METAL_ARGS is the kernel command line (max-time=,
# trace=, max-procs=; `make run-metal METAL_ARGS=` runs until Ctrl-C, which asks init to shut
# down; Ctrl-A X quits QEMU). QEMU exits with 2 * status + 1 (isa-debug-exit): make ends with
# the system's status.
METAL_ARGS ?= max-time=12s

run-metal: build
	@qemu-system-x86_64 -nographic -no-reboot -m 256M -kernel $(BUILD)/eclipse-pc \
		-initrd $(BUILD)/boot.cpio -append "$(METAL_ARGS)" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04; \
	status=$$?; exit $$((status % 2 ? status / 2 : 1))

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
FUZZ_TARGETS ?= elf cpio config syscall gdb

.PHONY: fuzz
fuzz: setup
	@cmake -S . -B $(BUILD_FUZZ) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DECLIPSE_FUZZ=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_FUZZ) -j$(JOBS) --target fuzz_targets
	@bash tests/fuzz/run_fuzz.sh $(BUILD_FUZZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
