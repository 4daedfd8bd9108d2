/*
 * Children killed by a CPU fault: the parent's wait4 reports WIFSIGNALED and the Linux signal.
 * (The simulator also prints a "killed by" line on stderr for each; only stdout is compared.)
 */
#include "check.h"
#include "proc.h"

static int null_write(int unused)
{
	volatile int *volatile p = NULL;
	*p = unused;
	return 0;
}

static int ud2(int unused)
{
	__asm__ __volatile__("ud2");
	return unused;
}

static int divide_by_zero(int unused)
{
	volatile int dividend = 7, divisor = unused, quotient;
	quotient = dividend / divisor;
	return quotient;
}

static int int3(int unused)
{
	__asm__ __volatile__("int3");
	return unused;
}

static int hlt(int unused)
{
	__asm__ __volatile__("hlt");
	return unused;
}

static const struct {
	const char *name;
	int (*fault)(int);
	int signal;
} faults[] = {
	{ "null write", null_write, SIGSEGV },
	{ "ud2", ud2, SIGILL },
	{ "divide by zero", divide_by_zero, SIGFPE },
	{ "int3", int3, SIGTRAP },
	{ "hlt", hlt, SIGSEGV },
};

int main(void)
{
	/* Each line out before the next child faults: the kernel reports those faults on the same
	 * console, and the order must not depend on whether that is a terminal. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		int status = 0;
		pid_t child = spawn(faults[i].fault, 0);
		if (child < 0 || waitpid(child, &status, 0) != child) {
			printf("%s: FAIL (fork or waitpid)\n", faults[i].name);
			check_failures++;
			continue;
		}
		char what[96];
		snprintf(what, sizeof what, "%s: WIFSIGNALED %d, WTERMSIG %d", faults[i].name,
			 WIFSIGNALED(status) ? 1 : 0, WTERMSIG(status));
		check(WIFSIGNALED(status) && WTERMSIG(status) == faults[i].signal, what);
	}
	return check_status();
}
