/* What the kernel harnesses share: the guest they load, the kernel under the fake platform. */
#include "fuzz.h"

#include <kernel/frame.h>
#include <kernel/kernel.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <stdlib.h>

#include "fake_plat.h"

const char *fuzz_guest_path(void)
{
	const char *path = getenv("ECLIPSE_FUZZ_GUEST");
	return path && *path ? path : FUZZ_DEFAULT_GUEST;
}

void fuzz_run_kernel(void (*fn)(void *arg), void *arg)
{
	const char *msg;
	if (fake_expect_panic(fn, arg, &msg))
		fuzz_fail(__FILE__, __LINE__, "no kernel panic", "kernel panic: %s", msg);
}

void fuzz_fini_and_check(void)
{
	kernel_fini();
	FUZZ_CHECK(proc_count() == 0, "%u processes left after kernel_fini", proc_count());
	FUZZ_CHECK(kmalloc_live() == 0, "%zu kernel objects leaked", kmalloc_live());
	FUZZ_CHECK(frame_free_count() == frame_total_count(), "%zu of %zu frames leaked",
		   frame_total_count() - frame_free_count(), frame_total_count());
}

long fuzz_setup_call(struct thread *q, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
		     uint64_t a3)
{
	const uint64_t args[6] = {a0, a1, a2, a3, (uint64_t)-1, 0};
	long r = syscall_invoke(q, nr, args);
	FUZZ_CHECK(r >= 0, "setup syscall %llu failed: %ld", (unsigned long long)nr, r);
	return r;
}
