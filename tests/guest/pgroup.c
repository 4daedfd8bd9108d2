/*
 * Process groups: a child's setpgid(0, 0) makes it the leader of a new group, which getpgid
 * reports to both. wait4(0) only takes children of the caller's group, so it waits for the one
 * still running there rather than take the other group's child that has already exited; then
 * wait4(-pgid) takes that one.
 */
#include "check.h"
#include "proc.h"

#define LEADER_EXIT 21
#define MEMBER_EXIT 22
#define POLLS 1000 /* of 1 ms each */

/* Exits soon with LEADER_EXIT, or with 1 if it could not lead a new group. */
static int leader(int unused)
{
	(void)unused;
	pid_t self = getpid();
	int ok = setpgid(0, 0) == 0 && getpgid(0) == self && getpgid(self) == self;
	sleep_ms(20);
	return ok ? LEADER_EXIT : 1;
}

/* Stays in the parent's group and exits later than the leader. */
static int member(int unused)
{
	(void)unused;
	sleep_ms(100);
	return MEMBER_EXIT;
}

int main(void)
{
	int status = -1, polls = 0;
	pid_t own = getpgid(0);

	check(own > 0 && getpgid(getpid()) == own, "getpgid(0) == getpgid(getpid())");
	pid_t lead = spawn(leader, 0);
	check(lead > 0, "fork the leader");
	while (getpgid(lead) != lead && polls++ < POLLS)
		sleep_ms(1);
	check(getpgid(lead) == lead, "the leader's setpgid(0, 0): getpgid(leader) == leader");
	check(own != lead && getpgid(0) == own, "the parent's group did not change");

	pid_t memb = spawn(member, 0);
	check(memb > 0 && getpgid(memb) == own, "a second child is in the parent's group");
	check(wait4(0, &status, WNOHANG, NULL) == 0, "wait4(0, WNOHANG) while both run -> 0");
	check(wait4(0, &status, 0, NULL) == memb && WIFEXITED(status) && WEXITSTATUS(status) == MEMBER_EXIT,
	      "wait4(0) -> the child in the parent's group, not the leader that exited first");
	check_errno(wait4(0, &status, 0, NULL), ECHILD, "wait4(0) with only the other group's child -> ECHILD");
	check(wait4(-lead, &status, 0, NULL) == lead && WIFEXITED(status) && WEXITSTATUS(status) == LEADER_EXIT,
	      "wait4(-pgid) -> the leader, exit 21");
	check_errno(wait4(-1, &status, 0, NULL), ECHILD, "no children left");

	check_errno(getpgid(999999), ESRCH, "getpgid(no such process) -> ESRCH");
	check_errno(setpgid(999999, 0), ESRCH, "setpgid(no such process, 0) -> ESRCH");
	check_errno(setpgid(0, -1), EINVAL, "setpgid(0, -1) -> EINVAL");
	check_errno(setpgid(0, 999999), EPERM, "setpgid(0, no such group) -> EPERM");
	check_errno(setpgid(lead, lead), ESRCH, "setpgid(reaped child) -> ESRCH");
	return check_status();
}
