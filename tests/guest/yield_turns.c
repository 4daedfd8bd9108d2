/*
 * sched_yield gives the CPU to the other runnable process: a parent and a child, each writing
 * its letter and yielding, take turns on Eclipse's one CPU, so their letters alternate (a
 * yield that did nothing would print one process's letters all together, its time slice being
 * far longer than the loop). Only under eclipse-sim: Linux has other CPUs to run the child on.
 */
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

#define TURNS 10

static int take_turns(int letter)
{
	char c = (char)letter;
	for (int i = 0; i < TURNS; i++) {
		write(1, &c, 1);
		sched_yield();
	}
	return 0;
}

int main(void)
{
	int status;
	pid_t child = spawn(take_turns, 'c');
	take_turns('p');
	waitpid(child, &status, 0);
	write(1, "\n", 1);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
