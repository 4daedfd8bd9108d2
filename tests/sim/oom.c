/*
 * Exhausting memory is an error, not a crash: a child that touches memory without end is killed
 * (SIGKILL, as Linux's OOM killer does) when the frames run out, and the parent goes on, forks
 * again and exits normally. Run with a small --mem.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static void eat_memory(void)
{
	for (;;) {
		char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(3); /* address space exhausted before memory: not what we test */
		for (int i = 0; i < CHUNK; i += 4096)
			p[i] = 1;
	}
}

int main(void)
{
	int status;
	pid_t child = fork();
	if (child == 0)
		eat_memory();
	if (waitpid(child, &status, 0) != child || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		printf("the memory eater was not killed by SIGKILL (status %#x)\n", status);
		return 1;
	}
	child = fork();
	if (child == 0)
		_exit(7);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 7) {
		printf("fork after the out-of-memory kill failed\n");
		return 1;
	}
	printf("out of memory: the eater was killed, the system went on\n");
	return 0;
}
