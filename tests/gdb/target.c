/*
 * The guest the gdb tests debug: named functions with locals, a global to watch, two children
 * that run the same function, and an exec. Built with -Og, so gdb sees every local.
 *
 * gdb_target [PROGRAM]: computes, forks the children and waits for them, then execs PROGRAM
 * if given (else prints "done" and exits 0). gdb_target --spin: computes forever.
 * gdb_target --crash: writes through a null pointer. gdb_target --read: reads a byte of
 * standard input and says how it went. gdb_target --nap (sleeps NAP_SECONDS at a time) and
 * gdb_target --busy (computes): says "waiting for the debugger", then goes on until a debugger
 * that attached sets released, and exits 0.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILDREN 2
/* Longer than gdb waits for the answer to its first packet: a debugger that connects during a
 * nap is heard only if the simulator's idle wait listens for it. */
#define NAP_SECONDS 10

int counter; /* what compute() leaves behind: the watchpoint test watches it */
volatile int released; /* set by the attach tests' gdb: --nap and --busy end */

__attribute__((noinline)) int square(int x)
{
	int y = x * x;
	return y;
}

__attribute__((noinline)) int compute(int n)
{
	int total = 0;
	for (int i = 1; i <= n; i++) {
		int sq = square(i);
		total += sq;
	}
	counter = total;
	return total;
}

__attribute__((noinline)) int child_work(int id)
{
	int result = compute(id + 2);
	return result;
}

__attribute__((noinline)) void crash(int *where)
{
	int value = compute(2);
	*where = value;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--spin"))
		for (;;)
			compute(4);
	if (argc > 1 && !strcmp(argv[1], "--crash"))
		crash((int *)0);
	if (argc > 1 && (!strcmp(argv[1], "--nap") || !strcmp(argv[1], "--busy"))) {
		bool nap = !strcmp(argv[1], "--nap");
		printf("waiting for the debugger\n");
		fflush(stdout);
		while (!released)
			if (nap)
				sleep(NAP_SECONDS);
			else
				compute(4);
		printf("released\n");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--read")) {
		char c;
		printf("read: %ld\n", (long)read(0, &c, 1));
		return 0;
	}
	int result = compute(3);
	printf("compute(3) = %d\n", result);
	pid_t pids[CHILDREN];
	for (int i = 0; i < CHILDREN; i++)
		if ((pids[i] = fork()) == 0)
			_exit(child_work(i) & 0x7f);
	for (int i = 0; i < CHILDREN; i++) {
		int status = 0;
		waitpid(pids[i], &status, 0);
		printf("child %d exited %d\n", i, (status >> 8) & 0xff);
	}
	if (argc > 1) {
		char *args[] = {argv[1], NULL};
		fflush(stdout); /* execve would drop what is still buffered */
		execve(argv[1], args, environ);
		printf("cannot execute %s\n", argv[1]);
		return 1;
	}
	printf("done\n");
	return 0;
}
