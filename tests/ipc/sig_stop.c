/*
 * wait4 reports stops and continues: with WUNTRACED a child stopped by SIGSTOP (status 0x137f,
 * once), with WCONTINUED one resumed by SIGCONT (status 0xffff, once); without those options
 * neither is reported, and the child's exit is, as usual.
 */
#include "ipc_test.h"

/* Sleeps 5 times 10 ms; exits 3. */
static int napper(int unused)
{
	(void)unused;
	for (int i = 0; i < 5; i++)
		sleep_ms(10);
	return 3;
}

int main(void)
{
	int status = 0;
	pid_t child = spawn(napper, 0);
	sleep_ms(5);
	check(kill(child, SIGSTOP) == 0, "SIGSTOP to a child");
	sleep_ms(20);
	check(waitpid(child, &status, WNOHANG) == 0, "wait4 without WUNTRACED: nothing to report");
	status = 0;
	pid_t r = waitpid(child, &status, WNOHANG | WUNTRACED);
	printf("  (wait4(WUNTRACED) returned %s, status %#x)\n", r == child ? "the child" : "no child", status);
	check(r == child && status == 0x137f, "wait4 with WUNTRACED: stopped by SIGSTOP, status 0x137f");
	check(waitpid(child, &status, WNOHANG | WUNTRACED) == 0, "the stop is reported once");
	check(kill(child, SIGCONT) == 0, "SIGCONT");
	sleep_ms(1);
	status = 0;
	r = waitpid(child, &status, WNOHANG | WCONTINUED);
	printf("  (wait4(WCONTINUED) returned %s, status %#x)\n", r == child ? "the child" : "no child", status);
	check(r == child && status == 0xffff, "wait4 with WCONTINUED: continued, status 0xffff");
	check_exit(child, 3, "it goes on and exits 3");
	return check_status();
}
