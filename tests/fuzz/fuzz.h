/*
 * Shared by the fuzz harnesses (fuzz_<target>.c). Each defines libFuzzer's two entry points and
 * is linked either with libFuzzer (ECLIPSE_FUZZ builds) or with replay.c, which runs it over the
 * seed and regression inputs in every build. A broken invariant aborts through fuzz_fail, so
 * both libFuzzer and ctest see a crash and keep the input that caused it.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reports "file:line: broken invariant: cond: message" on stderr and aborts. */
void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));

#define FUZZ_CHECK(cond, ...)                                                                    \
	do {                                                                                     \
		if (!(cond))                                                                     \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                       \
	} while (0)

/* A whole host file in an exactly sized malloc'd buffer; aborts when it cannot be read. */
unsigned char *fuzz_read_file(const char *path, size_t *len);
/* The guest program a harness runs: $ECLIPSE_FUZZ_GUEST, else the build's stripped hello. */
const char *fuzz_guest_path(void);

/* Runs fn(arg) with the fake platform's panic catcher: a kernel panic aborts with its text. */
void fuzz_run_kernel(void (*fn)(void *arg), void *arg);
/* Shuts the kernel down and aborts unless every frame, object and process came back. */
void fuzz_fini_and_check(void);
/* A syscall of q made directly (a4 = -1, a5 = 0), as the unit tests make them, to set a
 * harness's processes up: it must succeed. */
struct proc;
struct thread;
long fuzz_setup_call(struct thread *q, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
		     uint64_t a3);

#endif
