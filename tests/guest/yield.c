/* Two processes each call sched_yield 1000 times, taking turns on one CPU; both finish. */
#include <sched.h>

#include "check.h"
#include "proc.h"

#define YIELDS 1000

/* Returns how many of YIELDS sched_yield calls returned 0. */
static int yield_many(int unused)
{
	int ok = 0;
	(void)unused;
	for (int i = 0; i < YIELDS; i++)
		ok += sched_yield() == 0;
	return ok;
}

static int child_yields(int unused)
{
	return yield_many(unused) == YIELDS ? 0 : 1;
}

int main(void)
{
	int status = -1;
	pid_t child = spawn(child_yields, 0);
	int parent_ok = yield_many(0) == YIELDS;

	check(child > 0, "fork");
	check(parent_ok, "parent: 1000 sched_yield calls returned 0");
	check(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child: 1000 sched_yield calls returned 0");
	return check_status();
}
