/*
 * Killing a process group: kill(-pgid) reaches the three members of a group and nobody else;
 * kill(0) reaches the caller's own group (its handler runs, a member without one dies); a group
 * with nobody left is ESRCH.
 */
#include "ipc_test.h"

#define MEMBERS 3

static volatile sig_atomic_t runs;

static void on_usr1(int sig)
{
	(void)sig;
	runs++;
}

/* Joins group pgid (0: a new one it leads), then sleeps until a signal ends it. */
static int member(int pgid)
{
	if (setpgid(0, pgid) < 0)
		return 1;
	sleep_ms(100000);
	return 2;
}

/* Stays in its parent's group, sleeping until a signal ends it. */
static int bystander(int unused)
{
	(void)unused;
	sleep_ms(100000);
	return 2;
}

int main(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	sigemptyset(&sa.sa_mask);
	/* A group of our own, so that kill(0) stays among the test's processes when run natively. */
	check(setpgid(0, 0) == 0 || getpid() == 1, "lead a group of our own");
	pid_t outsider = spawn(bystander, 0); /* before the handler: SIGUSR1 kills it */
	check(sigaction(SIGUSR1, &sa, NULL) == 0, "a SIGUSR1 handler");

	/* Both parent and child make the move, as shells do, so that it is done whoever runs first. */
	pid_t group[MEMBERS];
	group[0] = spawn(member, 0);
	setpgid(group[0], group[0]);
	for (int i = 1; i < MEMBERS; i++) {
		group[i] = spawn(member, group[0]);
		setpgid(group[i], group[0]);
	}
	check(getpgid(group[0]) == group[0] && getpgid(group[1]) == group[0] &&
		      getpgid(group[2]) == group[0],
	      "three children in a new group");

	check(kill(-group[0], SIGTERM) == 0, "kill(-pgid, SIGTERM)");
	int killed = 0;
	for (int i = 0; i < MEMBERS; i++) {
		int status = reap(group[i]);
		killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM;
	}
	printf("%d of %d group members died of SIGTERM\n", killed, MEMBERS);
	check(waitpid(outsider, NULL, WNOHANG) == 0, "the child outside the group lives on");
	check(runs == 0, "the caller outside the group got nothing");
	check_errno(kill(-group[0], SIGTERM), ESRCH, "kill(-pgid) of an empty group: ESRCH");

	check(kill(0, SIGUSR1) == 0, "kill(0, SIGUSR1): our own group");
	check(runs == 1, "our handler ran");
	check_killed(outsider, SIGUSR1, "the child in our group died of SIGUSR1");
	return check_status();
}
