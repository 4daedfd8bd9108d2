/*
 * Signals and blocked IPC: SIGKILL ends a process blocked in ipc_receive (its name goes with
 * it); a handled signal ends a blocked receive, receive with a timeout, send, and call waiting
 * for its reply with EINTR (the server's late reply is then ESRCH); a blocked signal interrupts
 * nothing.
 */
#include "ipc_test.h"

#define SERVICE "ipc-test-signals"

static struct ipc_msg req, rep;
static volatile sig_atomic_t runs;

static void on_usr1(int sig)
{
	(void)sig;
	runs++;
}

/* Registers SERVICE and waits in ipc_receive; exits 0 if that ever returns. */
static int registered_receiver(int unused)
{
	(void)unused;
	static struct ipc_msg in;
	ipc_register(SERVICE);
	ipc_receive(0, &in, IPC_FOREVER);
	return 0;
}

/* Blocks in the call of kind how with a SIGUSR1 handler; exits with the errno it ends with,
 * plus 100 if the handler did not run once. */
static int interrupted(int how)
{
	static struct ipc_msg in;
	struct sigaction sa = {.sa_handler = on_usr1};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	pid_t parent = getppid();
	long r;
	msg_put(&req, 1, NULL, 0);
	if (how == 0)
		r = ipc_receive(0, &in, IPC_FOREVER);
	else if (how == 1)
		r = ipc_receive(0, &in, 10000 * MS);
	else if (how == 2)
		r = ipc_send(parent, &req, IPC_FOREVER);
	else
		r = ipc_call(parent, &req, &in, IPC_FOREVER);
	return (r < 0 ? errno : 0) + (runs == 1 ? 0 : 100);
}

/* Blocks SIGUSR1 and waits in ipc_receive; exits 0 if the parent's message arrives. */
static int masked(int unused)
{
	(void)unused;
	static struct ipc_msg in;
	struct sigaction sa = {.sa_handler = on_usr1};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return ipc_receive(0, &in, IPC_FOREVER) == getppid() && in.type == 7 && runs == 0 ? 0 : 1;
}

int main(void)
{
	pid_t child = spawn(registered_receiver, 0);
	for (int polls = 0; ipc_lookup(SERVICE) != child && polls < 1000; polls++)
		sleep_ms(1);
	check(ipc_lookup(SERVICE) == child, "a child registers and blocks in ipc_receive");
	check(kill(child, SIGKILL) == 0, "SIGKILL to it");
	check_killed(child, SIGKILL, "it dies of SIGKILL");
	check_errno(ipc_lookup(SERVICE), ENOENT, "its name is gone");

	child = spawn(interrupted, 0);
	sleep_ms(10);
	kill(child, SIGUSR1);
	check_exit(child, EINTR, "a handled signal ends ipc_receive(forever): EINTR");
	child = spawn(interrupted, 1);
	sleep_ms(10);
	kill(child, SIGUSR1);
	check_exit(child, EINTR, "a handled signal ends ipc_receive(10 s): EINTR");
	child = spawn(interrupted, 2);
	sleep_ms(10);
	kill(child, SIGUSR1);
	check_exit(child, EINTR, "a handled signal ends a blocked ipc_send: EINTR");
	check_errno(ipc_receive(0, &rep, 0), EAGAIN, "the interrupted send left nothing queued");

	child = spawn(interrupted, 3);
	check(ipc_receive(child, &rep, IPC_FOREVER) == child, "receive a child's call");
	kill(child, SIGUSR1);
	sleep_ms(10);
	msg_put(&req, 2, NULL, 0);
	check_errno(ipc_reply(child, &req), ESRCH, "after a handled signal in its reply wait, our reply: ESRCH");
	check_exit(child, EINTR, "the call: EINTR");

	child = spawn(masked, 0);
	sleep_ms(10);
	kill(child, SIGUSR1);
	sleep_ms(10);
	msg_put(&req, 7, NULL, 0);
	check(ipc_send(child, &req, IPC_FOREVER) == 0, "send to a receiver that blocks SIGUSR1, after one");
	check_exit(child, 0, "the blocked signal did not interrupt its receive");
	return check_status();
}
