/*
 * Clients killed in the middle of a call: one while the server holds its request (the server's
 * reply then fails with ESRCH), one while its request is queued (the server never sees it). The
 * server goes on and answers the next call, reporting what it saw.
 */
#include "ipc_test.h"

/* Takes a call and answers it 50 ms later; looks for another request without waiting; then
 * answers a call with the errno of that reply and of that look. */
static int server(int unused)
{
	(void)unused;
	static struct ipc_msg in, out;
	pid_t from = ipc_receive(0, &in, IPC_FOREVER);
	sleep_ms(50);
	msg_put(&out, 1, NULL, 0);
	uint64_t seen[2];
	seen[0] = ipc_reply(from, &out) < 0 ? (uint64_t)errno : 0;
	seen[1] = ipc_receive(0, &in, 0) < 0 ? (uint64_t)errno : 0;
	from = ipc_receive(0, &in, IPC_FOREVER);
	msg_put(&out, 2, seen, 2);
	return from < 0 || ipc_reply(from, &out) < 0;
}

static pid_t srv;

/* Calls the server; exits 0 only if the call returns, which it should not. */
static int victim(int unused)
{
	(void)unused;
	static struct ipc_msg req, rep;
	msg_put(&req, 1, NULL, 0);
	ipc_call(srv, &req, &rep, IPC_FOREVER);
	return 0;
}

int main(void)
{
	static struct ipc_msg req, rep;
	srv = spawn(server, 0);
	pid_t held = spawn(victim, 0);
	sleep_ms(10);
	check(kill(held, SIGKILL) == 0, "kill the caller whose request the server holds");
	check_killed(held, SIGKILL, "it dies of SIGKILL in its call");
	pid_t queued = spawn(victim, 0);
	sleep_ms(10);
	check(kill(queued, SIGKILL) == 0, "kill a caller queued on the busy server");
	check_killed(queued, SIGKILL, "it dies of SIGKILL in its call");
	sleep_ms(100);

	msg_put(&req, 1, NULL, 0);
	check(ipc_call(srv, &req, &rep, IPC_FOREVER) == 0 && rep.type == 2, "the server goes on");
	check(msg_get(&rep, 0) == ESRCH, "its reply to the killed caller: ESRCH");
	check(msg_get(&rep, 1) == EAGAIN, "the killed queued caller's request is gone: EAGAIN");
	check_exit(srv, 0, "the server exits normally");
	return check_status();
}
