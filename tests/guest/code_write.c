/*
 * The kernel's writes into code that already ran are seen by the next instruction fetch, as
 * the CPU's own stores are: a system call that copies out (an old signal action, an old signal
 * mask) over an executable page changes what a call into that page returns.
 */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096UL

typedef int (*code_fn)(void);

/* "mov $n, %eax; ret" as the little-endian value the kernel will store. */
static unsigned long returning(unsigned char n)
{
	return 0xc300000000b8UL | (unsigned long)n << 8;
}

int main(void)
{
	unsigned char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 2;
	code_fn volatile fn = (code_fn)page;
	unsigned long code = returning(1);
	memcpy(page, &code, sizeof(code));
	check(fn() == 1 && fn() == 1, "code written by the program runs");

	/* The old mask (SIGKILL's bit would be dropped: the value avoids it). */
	unsigned long mask = returning(4), none = 0;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&mask, 0, 8);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, (long)page, 8);
	check(fn() == 4 && fn() == 4, "an old mask copied out over the code runs");

	/* rt_sigaction's old action starts with the handler: it becomes the code. */
	unsigned long act[4] = { returning(2), 0, 0, 0 };
	syscall(SYS_rt_sigaction, SIGUSR1, (long)act, 0, 8);
	syscall(SYS_rt_sigaction, SIGUSR1, 0, (long)page, 8);
	check(fn() == 2, "an old action copied out over the code runs");
	return check_status();
}
