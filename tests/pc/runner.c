/*
 * /sbin/init of the pc test image: runs the guest test programs one after another, each in a
 * child with the arguments and environment run_guest_test.sh gives it, and prints a line with
 * the outcome (exit status, or killing signal) against the expected one. Exits with the number
 * of tests whose outcome was not the expected one. The same image boots under eclipse-sim and
 * on the pc kernel under QEMU, and the two transcripts must be equal (README.md).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIGNALED(sig) (128 + (sig))

static const struct test {
	const char *name;
	const char *args[4];
	int outcome; /* exit status, or SIGNALED(signal) */
} tests[] = {
	{"hello", {NULL}, 0},
	{"args", {"one", "two words", "3", NULL}, 0},
	{"sections", {NULL}, 0},
	{"memory", {NULL}, 0},
	{"errors", {NULL}, 0},
	{"time", {NULL}, 0},
	{"writev", {NULL}, 0},
	{"multifault", {NULL}, 0},
	{"pie", {NULL}, 0},
	{"fault_null", {NULL}, SIGNALED(SIGSEGV)},
	{"fault_rodata", {NULL}, SIGNALED(SIGSEGV)},
	{"fault_nx", {NULL}, SIGNALED(SIGSEGV)},
	{"fault_hlt", {NULL}, SIGNALED(SIGSEGV)},
	{"fault_cli", {NULL}, SIGNALED(SIGSEGV)},
	{"fault_cr3", {NULL}, SIGNALED(SIGSEGV)},
	{"fault_io", {NULL}, SIGNALED(SIGSEGV)},
	{"fault_stack", {NULL}, SIGNALED(SIGSEGV)},
	{"fault_ud2", {NULL}, SIGNALED(SIGILL)},
	{"fault_div", {NULL}, SIGNALED(SIGFPE)},
	{"fault_int3", {NULL}, SIGNALED(SIGTRAP)},
	{"cow", {NULL}, 0},
	{"five_children", {NULL}, 0},
	{"wnohang", {NULL}, 0},
	{"echild", {NULL}, 0},
	{"chain", {NULL}, 0},
	{"fault_status", {NULL}, 0},
	{"exec_args", {"/bin", NULL}, 0},
	{"exec_fail", {"/bin", "/bin/not_elf", NULL}, 0},
	{"pgroup", {NULL}, 0},
	{"yield", {NULL}, 0},
	{"fpu_switch", {NULL}, 0},
	{"pci", {NULL}, 0},
	{"lspci", {"-v", NULL}, 0},
};

static void describe(char *buf, size_t size, int outcome)
{
	if (outcome >= 128)
		snprintf(buf, size, "killed by signal %d", outcome - 128);
	else
		snprintf(buf, size, "exit %d", outcome);
}

/* Runs one test to its end; its outcome, or -1 when it could not be started. */
static int run(const struct test *t)
{
	char path[64];
	const char *argv[6] = {path};
	char *const envp[] = {"ECL_A=1", "ECL_B=two", NULL};
	snprintf(path, sizeof path, "/bin/test_%s", t->name);
	for (int i = 0; t->args[i]; i++)
		argv[i + 1] = t->args[i];
	pid_t pid = fork();
	if (pid == 0) {
		execve(path, (char *const *)argv, envp);
		printf("runner: execve %s failed: %s\n", path, strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		return -1;
	/* As PID 1 it also adopts the test's orphans: reap them on the way. */
	int status;
	pid_t ended;
	while ((ended = wait4(-1, &status, 0, NULL)) != pid)
		if (ended < 0)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : SIGNALED(WTERMSIG(status));
}

int main(void)
{
	int failed = 0;
	unsigned count = sizeof tests / sizeof tests[0];
	/* Each line goes out when printed, between the tests' own output. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("runner: %u guest tests\n", count);
	for (unsigned i = 0; i < count; i++) {
		char got[32], want[32];
		printf("=== %s\n", tests[i].name);
		int outcome = run(&tests[i]);
		describe(got, sizeof got, outcome);
		describe(want, sizeof want, tests[i].outcome);
		if (outcome == tests[i].outcome) {
			printf("=== %s: %s: ok\n", tests[i].name, got);
		} else {
			printf("=== %s: %s, expected %s: FAIL\n", tests[i].name, got, want);
			failed++;
		}
	}
	printf("runner: %d of %u failed\n", failed, count);
	return failed;
}
