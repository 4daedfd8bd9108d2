/*
 * PID 1 cannot be killed by its children: their kill(1, SIGKILL), kill(1, SIGSTOP) and, while
 * PID 1 has no handler for it, kill(1, SIGTERM) succeed and do nothing; a signal PID 1 has a
 * handler for reaches it. Only meaningful as process 1, so under eclipse-sim only.
 */
#include <ecl/signal.h>

#include "ipc_test.h"

static volatile sig_atomic_t runs;

static void on_usr1(int sig)
{
	(void)sig;
	runs++;
}

/* Sends sig to process 1; exits 0 if kill returned 0. */
static int send_to_init(int sig)
{
	return kill(1, sig) == 0 ? 0 : 1;
}

int main(void)
{
	check(getpid() == 1, "we are process 1");
	static const int sigs[] = {SIGKILL, SIGSTOP, SIGTERM, SIGINT, SIGUSR2};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		char what[64];
		snprintf(what, sizeof what, "a child's kill(1, %s) returns 0", signal_name(sigs[i]));
		check_exit(spawn(send_to_init, sigs[i]), 0, what);
		sleep_ms(5);
		snprintf(what, sizeof what, "process 1 lives on after %s", signal_name(sigs[i]));
		check(1, what);
	}
	/* SA_RESTART: the signal must not cut short the wait4 for the child that sends it. */
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	check(sigaction(SIGUSR1, &sa, NULL) == 0, "a SIGUSR1 handler in process 1");
	check_exit(spawn(send_to_init, SIGUSR1), 0, "a child's kill(1, SIGUSR1) returns 0");
	sleep_ms(5);
	check(runs == 1, "the handler ran");
	return check_status();
}
