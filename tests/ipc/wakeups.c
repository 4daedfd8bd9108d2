/*
 * Events that must not end a blocked IPC call: a child's exit while its parent waits in
 * ipc_receive, SIGCONT to a receiver that was not stopped, SIGSTOP and SIGCONT of a receiver
 * (like a debugger's pause). Each time the receiver must go on waiting and take the message that
 * comes 50 ms later. A stopped receiver that is sent a message stays stopped until SIGCONT. And
 * nanosleep, the other timed wait, is not cut short by a SIGCONT either.
 */
#include <time.h>

#include "ipc_test.h"

/* Exits at once. */
static int quitter(int unused)
{
	(void)unused;
	return 0;
}

/* Sends its parent a message of type 5 after ms milliseconds. */
static int late_sender(int ms)
{
	static struct ipc_msg m;
	sleep_ms(ms);
	msg_put(&m, 5, NULL, 0);
	return ipc_send(getppid(), &m, IPC_FOREVER) < 0;
}

/* Waits in ipc_receive; exits 0 if the parent's message of type 5 arrives, else with errno. */
static int receiver(int unused)
{
	(void)unused;
	static struct ipc_msg in;
	if (ipc_receive(0, &in, IPC_FOREVER) < 0)
		return errno;
	return in.sender == getppid() && in.type == 5 ? 0 : 1;
}

/* Sleeps 100 ms; exits 0 if at least that much time went by, else with the milliseconds. */
static int sleeper(int unused)
{
	(void)unused;
	long long start = monotonic_ms();
	struct timespec ts = {0, 100 * 1000000};
	nanosleep(&ts, NULL);
	long long slept = monotonic_ms() - start;
	return slept >= 100 ? 0 : (int)slept + 1;
}

/* Reports whether the receiver child rx took the message: it exited 0, not with an errno. */
static void check_received(pid_t rx, const char *what)
{
	int status = reap(rx);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		printf("  (its ipc_receive ended with %s)\n", strerror(WEXITSTATUS(status)));
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, what);
}

int main(void)
{
	static struct ipc_msg in, m;
	msg_put(&m, 5, NULL, 0);

	pid_t quick = spawn(quitter, 0), sender = spawn(late_sender, 50);
	long r = ipc_receive(0, &in, IPC_FOREVER);
	if (r < 0)
		printf("  (ipc_receive ended with %s)\n", strerror(errno));
	check(r == sender && in.type == 5,
	      "a child's exit while we wait in ipc_receive(forever): we go on waiting");
	reap(quick);
	if (r < 0)
		ipc_receive(sender, &in, IPC_FOREVER);
	reap(sender);

	pid_t rx = spawn(receiver, 0);
	sleep_ms(10);
	kill(rx, SIGCONT);
	sleep_ms(50);
	ipc_send(rx, &m, 0);
	check_received(rx, "SIGCONT to a receiver that was not stopped: it goes on waiting");

	rx = spawn(receiver, 0);
	sleep_ms(10);
	kill(rx, SIGSTOP);
	sleep_ms(10);
	kill(rx, SIGCONT);
	sleep_ms(50);
	ipc_send(rx, &m, 0);
	check_received(rx, "SIGSTOP then SIGCONT of a receiver: it goes on waiting");

	rx = spawn(receiver, 0);
	sleep_ms(10);
	kill(rx, SIGSTOP);
	sleep_ms(10);
	r = ipc_send(rx, &m, 0); /* taken now, or EAGAIN until it runs again: either will do */
	sleep_ms(50);
	int status;
	pid_t ended = waitpid(rx, &status, WNOHANG);
	if (ended == rx)
		printf("  (it ran while stopped and exited with status %d)\n", WEXITSTATUS(status));
	check(ended == 0, "a stopped receiver sent a message stays stopped");
	if (ended == 0) {
		kill(rx, SIGCONT);
		if (r < 0)
			ipc_send(rx, &m, IPC_FOREVER);
		check_received(rx, "SIGCONT: it goes on and takes the message");
	}

	pid_t sleeping = spawn(sleeper, 0);
	sleep_ms(10);
	kill(sleeping, SIGCONT);
	status = reap(sleeping);
	if (WEXITSTATUS(status))
		printf("  (it slept %d ms)\n", WEXITSTATUS(status) - 1);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "SIGCONT to a process in nanosleep(100 ms): it sleeps all of it");
	return check_status();
}
