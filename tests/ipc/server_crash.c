/*
 * A server that crashes while clients wait on it: one in its reply wait, two queued behind it,
 * one queued with a timeout and one receiving from it by pid. The crash wakes all five with
 * EPIPE; none hangs. Afterwards the dead server's pid is ESRCH.
 */
#include "ipc_test.h"

/* Takes one call, leaves it unanswered for 50 ms, then writes through a null pointer. */
static int crasher(int unused)
{
	(void)unused;
	static struct ipc_msg in;
	if (ipc_receive(0, &in, IPC_FOREVER) < 0)
		return 1;
	sleep_ms(50);
	*(volatile int *)0 = 1;
	return 2;
}

static pid_t server;

/* Calls the server with timeout timeout_ms (0: forever); exits with the errno it got. */
static int caller(int timeout_ms)
{
	static struct ipc_msg req, rep;
	msg_put(&req, 1, NULL, 0);
	uint64_t timeout = timeout_ms ? (uint64_t)timeout_ms * MS : IPC_FOREVER;
	return ipc_call(server, &req, &rep, timeout) < 0 ? errno : 0;
}

/* Waits for a message from the server; exits with the errno it got. */
static int listener(int unused)
{
	(void)unused;
	static struct ipc_msg in;
	return ipc_receive(server, &in, IPC_FOREVER) < 0 ? errno : 0;
}

int main(void)
{
	static struct ipc_msg req, rep;
	server = spawn(crasher, 0);
	sleep_ms(5);
	pid_t first = spawn(caller, 0);
	sleep_ms(5);
	pid_t queued[2] = {spawn(caller, 0), spawn(caller, 0)};
	pid_t timed = spawn(caller, 10000);
	pid_t listening = spawn(listener, 0);

	check_killed(server, SIGSEGV, "the server dies of SIGSEGV");
	check_exit(first, EPIPE, "the caller in its reply wait: EPIPE");
	check_exit(queued[0], EPIPE, "the first queued caller: EPIPE");
	check_exit(queued[1], EPIPE, "the second queued caller: EPIPE");
	check_exit(timed, EPIPE, "the queued caller with a 10 s timeout: EPIPE at once, not ETIMEDOUT");
	check_exit(listening, EPIPE, "the receiver waiting for the server by pid: EPIPE");
	msg_put(&req, 1, NULL, 0);
	check_errno(ipc_call(server, &req, &rep, IPC_FOREVER), ESRCH, "a call to the dead server: ESRCH");
	return check_status();
}
