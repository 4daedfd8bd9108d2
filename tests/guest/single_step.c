/*
 * The trap flag: set by popf, the CPU raises #DB after every instruction that starts with it
 * set, and Linux delivers SIGTRAP each time (the handler runs with it clear, and rt_sigreturn
 * sets it again from the saved flags). Set by a handler in the saved flags, it steps the code
 * the handler returns to.
 */
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"

#define TF 0x100UL

static volatile unsigned long traps, stop_at_trap;

static void on_trap(int sig, siginfo_t *info, void *context)
{
	(void)sig, (void)info;
	traps++;
	if (traps == stop_at_trap)
		((ucontext_t *)context)->uc_mcontext.gregs[REG_EFL] &= ~(greg_t)TF;
}

/* popf sets TF: four nops, then pushf/and/popf clear it again (each of those traps too). */
static void step_block(void)
{
	__asm__ __volatile__("pushf\n\t"
			     "orq $0x100, (%%rsp)\n\t"
			     "popf\n\t"
			     "nop\n\tnop\n\tnop\n\tnop\n\t"
			     "pushf\n\t"
			     "andq $~0x100, (%%rsp)\n\t"
			     "popf\n\t"
			     : : : "memory", "cc");
}

static void on_usr1(int sig, siginfo_t *info, void *context)
{
	(void)sig, (void)info;
	((ucontext_t *)context)->uc_mcontext.gregs[REG_EFL] |= (greg_t)TF;
}

int main(void)
{
	struct sigaction sa = {.sa_sigaction = on_trap, .sa_flags = SA_SIGINFO};
	sigaction(SIGTRAP, &sa, NULL);
	traps = 0;
	step_block();
	check(traps == 7, "popf'd TF: a SIGTRAP after each of 7 instructions");
	traps = 0;
	step_block();
	check(traps == 7, "and again");

	/* TF set in the saved flags by a handler: the code after the signal is stepped until the
	 * trap handler clears it (at the tenth trap). */
	struct sigaction su = {.sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO};
	sigaction(SIGUSR1, &su, NULL);
	traps = 0;
	stop_at_trap = 10;
	kill(getpid(), SIGUSR1);
	for (volatile int i = 0; i < 100; i++)
		;
	check(traps == 10, "TF restored by rt_sigreturn: stepped until cleared");
	return check_status();
}
