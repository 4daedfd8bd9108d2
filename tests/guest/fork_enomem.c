/*
 * A fork that fails while copying the parent's memory (run with --mem=8M) fails with ENOMEM
 * and leaves no trace (issue 21, point 5): the parent gets no SIGCHLD, there is no child to
 * wait for, and once memory is freed fork works again. Eclipse only: Linux overcommits, and
 * its fork does not fail this way.
 */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>

#include "check.h"
#include "proc.h"

#define AREA (4096UL << 20) /* far more than the machine has */
#define STRIDE (2UL << 20) /* a page table for every page touched */

static volatile sig_atomic_t chld;

static void on_chld(int sig)
{
	(void)sig;
	chld++;
}

int main(void)
{
	struct sigaction sa = {.sa_handler = on_chld};
	sigaction(SIGCHLD, &sa, NULL);
	/* MAP_NORESERVE: more than all of memory, which the overcommit rule refuses otherwise. */
	char *area = mmap(NULL, AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			  -1, 0);
	if (area == MAP_FAILED)
		return 2;
	/* Touch a page at a time, forking in between, until a fork fails. */
	int failed_errno = 0, forks = 0;
	for (unsigned long at = 0; at < AREA; at += STRIDE) {
		chld = 0;
		pid_t child = fork();
		if (child == 0)
			_exit(0);
		if (child < 0) {
			failed_errno = errno;
			break;
		}
		forks++;
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		area[at] = 1;
	}
	check(forks > 0, "forks succeed while memory lasts");
	check(failed_errno == ENOMEM, "then a fork fails with ENOMEM");
	chld = 0;
	sleep_ms(20);
	check(chld == 0, "the failed fork sent no SIGCHLD");
	check(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "and left no child to wait for");
	munmap(area, AREA);
	pid_t child = fork();
	if (child == 0)
		_exit(9);
	int status = 0;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	check(child > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 9,
	      "with the memory freed, fork works again");
	return check_status();
}
