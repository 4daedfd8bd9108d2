/*
 * The program break. The raw brk call returns the new break, or the old one when it refuses,
 * never -errno; the wrappers turn a refusal into ENOMEM like libc.
 */
#include <ecl/syscall.h>
#include <ecl/unistd.h>

/* Moves the break to addr; returns 0, or -1 with ENOMEM if the kernel refused. */
int brk(void *addr)
{
	if (syscall1(SYS_brk, (long)addr) != (long)addr)
		return (int)syscall_ret(-ENOMEM);
	return 0;
}

/* Moves the break by increment; returns the old break, or (void *)-1 with ENOMEM. */
void *sbrk(intptr_t increment)
{
	/* Asked every time rather than cached, so direct brk() calls cannot make it stale. */
	long old = syscall1(SYS_brk, 0);
	if (increment == 0)
		return (void *)old;
	if (syscall1(SYS_brk, old + increment) != old + increment)
		return (void *)syscall_ret(-ENOMEM);
	return (void *)old;
}
