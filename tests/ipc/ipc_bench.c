/*
 * ipc_bench [ROUNDS]: the IPC round-trip benchmark. A parent ipc_calls its child ROUNDS times
 * (default 100,000) with an 8-byte message; the child answers each with ipc_receive and
 * ipc_reply, the number plus one, which the parent checks. Time the whole run: it is ROUNDS
 * round trips, one fork and one wait4. Prints one line that depends on ROUNDS alone; exits 0, 1
 * if a reply was wrong, 2 for a bad argument.
 */
#include <ecl/ipc.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define QUIT 2

/* Answers calls with the number plus one until QUIT; exits 0, or 1 if a call failed. */
static int answer(void)
{
	static struct ipc_msg in, out;
	out.len = 8;
	for (;;) {
		pid_t from = ipc_receive(0, &in, IPC_FOREVER);
		if (from < 0)
			return 1;
		if (in.type == QUIT)
			return 0;
		uint64_t v;
		memcpy(&v, in.data, 8);
		v++;
		memcpy(out.data, &v, 8);
		if (ipc_reply(from, &out) < 0)
			return 1;
	}
}

int main(int argc, char **argv)
{
	static struct ipc_msg req, rep;
	char *end;
	unsigned long rounds = argc > 1 ? strtoul(argv[1], &end, 10) : 100000;
	if (argc > 2 || (argc > 1 && (*end || !rounds || argv[1][0] == '-'))) {
		dprintf(2, "usage: ipc_bench [ROUNDS]   (a positive count, default 100000)\n");
		return 2;
	}
	pid_t child = fork();
	if (child == 0)
		_exit(answer());
	if (child < 0) {
		dprintf(2, "ipc_bench: fork failed: %s\n", strerror(errno));
		return 1;
	}
	unsigned long wrong = 0;
	req.len = 8;
	for (uint64_t i = 0; i < rounds; i++) {
		uint64_t v;
		memcpy(req.data, &i, 8);
		if (ipc_call(child, &req, &rep, IPC_FOREVER) < 0)
			return 1;
		memcpy(&v, rep.data, 8);
		wrong += v != i + 1;
	}
	req.type = QUIT;
	int status = -1;
	if (ipc_send(child, &req, IPC_FOREVER) < 0 || waitpid(child, &status, 0) != child ||
	    status != 0 || wrong) {
		dprintf(2, "ipc_bench: %lu wrong replies, child status %#x\n", wrong, status);
		return 1;
	}
	printf("ipc_bench: %lu call/reply round trips between two processes\n", rounds);
	return 0;
}
