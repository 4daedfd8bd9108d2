/*
 * A signal already pending when a call unblocks it (sigsuspend's and ppoll's masks, pselect6's)
 * ends the call at once: its handler runs and the call fails with EINTR. Nobody sends it again,
 * so a kernel that waited for a new one would hang here.
 */
#include <errno.h>
#include <poll.h>
#include <sys/select.h>

#include "ipc_test.h"

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t usr1, old;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);

	kill(getpid(), SIGUSR1);
	check(handled == 0, "SIGUSR1 blocked and pending");
	check_errno(sigsuspend(&old), EINTR, "sigsuspend unblocking it: EINTR");
	check(handled == 1, "its handler ran once");

	int p[2];
	pipe(p);
	struct pollfd pfd = {.fd = p[0], .events = POLLIN};
	kill(getpid(), SIGUSR1);
	check_errno(ppoll(&pfd, 1, NULL, &old), EINTR, "ppoll with a mask unblocking it: EINTR");
	check(handled == 2, "its handler ran");

	fd_set readable;
	FD_ZERO(&readable);
	FD_SET(p[0], &readable);
	kill(getpid(), SIGUSR1);
	check_errno(pselect(p[0] + 1, &readable, NULL, NULL, NULL, &old), EINTR,
		    "pselect with a mask unblocking it: EINTR");
	check(handled == 3, "its handler ran");

	sigset_t now;
	sigprocmask(SIG_SETMASK, NULL, &now);
	check(sigismember(&now, SIGUSR1), "each call's mask was undone: SIGUSR1 blocked again");
	return check_status();
}
