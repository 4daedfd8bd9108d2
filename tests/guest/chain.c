/*
 * A chain 20 processes deep below the first: each forks one child and exits with the child's
 * exit code plus one; the deepest exits 0, so the first sees 19 and prints 20.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define DEPTH 20

/* Forks the rest of the chain below depth; returns the length of the chain below, or -1. */
static int chain_below(int depth)
{
	int status;
	pid_t child = fork();
	if (child < 0)
		return -1;
	if (child == 0)
		_exit(depth + 1 == DEPTH ? 0 : chain_below(depth + 1));
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status) + 1;
}

int main(void)
{
	int depth = chain_below(0);
	printf("chain depth %d\n", depth);
	check(depth == DEPTH, "every link reported its child");
	return check_status();
}
