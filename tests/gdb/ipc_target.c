/*
 * The guest of the time travel tests: a global of one process overwritten by another one
 * through IPC, and the crash that follows, far from the write.
 *
 * The client (pid 1) keeps a pointer in a global message box, uses it, then calls the server
 * (its child) with the box as the reply buffer. The server's reply carries a null pointer: the
 * kernel copies it into the client's box while the server is in ipc_reply. The client does
 * other work, then uses the pointer again and dies of SIGSEGV. "Who wrote this pointer?" is a
 * reverse-continue with a watchpoint on it: the server's ipc_reply, in the server.
 *
 * ipc_target --count: also counts to three in a loop with a call to getpid (a syscall) and a
 * sched_yield (a context switch) in each turn, for reverse-step.
 */
#include <ecl/ipc.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct answer {
	int *where; /* where the client finds its value */
	int tag;
};

struct ipc_msg box; /* the client's reply box: data holds a struct answer */
int ticks;

__attribute__((noinline)) static struct answer *answer_in(struct ipc_msg *m)
{
	return (struct answer *)m->data;
}

__attribute__((noinline)) static int use(void)
{
	int *where = answer_in(&box)->where;
	return *where; /* the crash, once the server's reply is in */
}

/* ipc_reply, made here rather than through the C library's syscall(), which has no unwind
 * information: a backtrace from the syscall instruction reaches serve and main. */
__attribute__((noinline)) static long reply_to(pid_t pid, const struct ipc_msg *msg)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"((long)SYS_ipc_reply), "D"((long)pid), "S"(msg)
			 : "rcx", "r11", "memory");
	return ret;
}

__attribute__((noinline)) static void serve(void)
{
	struct ipc_msg m, r;
	pid_t from = ipc_receive(0, &m, IPC_FOREVER);
	memset(&r, 0, sizeof(r));
	r.len = sizeof(struct answer);
	answer_in(&r)->where = NULL; /* the bug: no pointer */
	answer_in(&r)->tag = 7;
	reply_to(from, &r);
}

__attribute__((noinline)) static int tick(int i)
{
	int pid = getpid();
	sched_yield();
	ticks += i;
	return pid;
}

int main(int argc, char **argv)
{
	static int value = 42;
	pid_t server = fork();
	if (server == 0) {
		serve();
		_exit(0);
	}
	answer_in(&box)->where = &value;
	printf("value %d\n", use());
	if (argc > 1 && !strcmp(argv[1], "--count"))
		for (int i = 1; i <= 3; i++)
			tick(i);
	struct ipc_msg req;
	memset(&req, 0, sizeof(req));
	req.len = 1;
	if (ipc_call(server, &req, &box, IPC_FOREVER))
		perror("ipc_call");
	printf("tag %d\n", answer_in(&box)->tag);
	fflush(stdout);
	printf("value %d\n", use());
	return 0;
}
