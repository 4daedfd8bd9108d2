/*
 * Children killed by a CPU fault: the parent's wait4 reports WIFSIGNALED and the Linux signal;
 * then children that catch the same faults print the si_code their handler got.
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

/* int $N from user mode: only vector 3's gate admits it; every other is a #GP (SIGSEGV at the
 * instruction), whatever exception the vector names. int $0x80 is refused like the rest. */
#define SOFT_INT(n)                                   \
	static int int_##n(int unused)                \
	{                                             \
		__asm__ __volatile__("int $" #n);     \
		return unused;                        \
	}
SOFT_INT(0)
SOFT_INT(1)
SOFT_INT(3)
SOFT_INT(4)
SOFT_INT(6)
SOFT_INT(7)
SOFT_INT(14)
SOFT_INT(0x80)

/* icebp raises #DB after itself (SIGTRAP); rdpmc without CR4.PCE is a #GP. */
static int icebp(int unused)
{
	__asm__ __volatile__(".byte 0xf1");
	return unused;
}

static int rdpmc(int unused)
{
	__asm__ __volatile__("rdpmc" : : "c"(0) : "rax", "rdx");
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
	{ "int $0", int_0, SIGSEGV },
	{ "int $1", int_1, SIGSEGV },
	{ "int $3", int_3, SIGTRAP },
	{ "int $4", int_4, SIGSEGV },
	{ "int $6", int_6, SIGSEGV },
	{ "int $7", int_7, SIGSEGV },
	{ "int $14", int_14, SIGSEGV },
	{ "int $0x80", int_0x80, SIGSEGV },
	{ "icebp", icebp, SIGTRAP },
	{ "rdpmc", rdpmc, SIGSEGV },
};

/* The same faults caught: the handler prints the signal's si_code (Linux's: SEGV_MAPERR for
 * the null write, ILL_ILLOPN for ud2, FPE_INTDIV, SI_KERNEL for int3, hlt, int $N and rdpmc,
 * TRAP_BRKPT for icebp) and the child exits. */
static const char *caught_name;

static void on_fault(int sig, siginfo_t *info, void *context)
{
	(void)context;
	printf("%s: caught signal %d, si_code %d\n", caught_name, sig, info->si_code);
	fflush(stdout);
	_exit(0);
}

static int caught(int i)
{
	struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	caught_name = faults[i].name;
	return faults[i].fault(0) + 100; /* not reached */
}

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
	for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		int status = 0;
		pid_t child = spawn(caught, (int)i);
		if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			printf("%s: FAIL (the handler did not run)\n", faults[i].name);
			check_failures++;
		}
	}
	return check_status();
}
