/*
 * Signal handlers that run and return: one run at once by a kill of oneself, one held back by
 * sigprocmask and run when unblocked, the signal blocked while its handler runs, SIG_IGN; and a
 * handler that interrupts a child spinning in assembly with a pattern in every general register
 * and in xmm0, after which the child finds every pattern intact.
 */
#include "ipc_test.h"

static volatile sig_atomic_t runs, blocked_inside, flag;
static volatile unsigned long spins, spins_at_signal;

static void on_usr1(int sig)
{
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	blocked_inside = sigismember(&now, sig);
	runs++;
}

/* Clobbers what a handler may: floating-point registers among them. */
static void on_usr2(int sig)
{
	volatile double x = sig;
	for (int i = 0; i < 10; i++)
		x = x * 1.5 + 0.25;
	spins_at_signal = spins;
	flag = x > 0;
}

/* Loads every general register but rsp with a pattern, and xmm0; spins, counting in spins,
 * until *flag is nonzero; returns 0 if every register still holds its pattern, else the number
 * of the first that does not (1 rax ... 15 r15, 16 xmm0). */
int spin_with_patterns(volatile sig_atomic_t *flag);
__asm__(".text\n"
	".globl spin_with_patterns\n"
	".type spin_with_patterns, @function\n"
	"spin_with_patterns:\n"
	"  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"  movdqu .Lxmm(%rip), %xmm0\n"
	"  mov .Lpat+0(%rip), %rax\n mov .Lpat+8(%rip), %rbx\n mov .Lpat+16(%rip), %rcx\n"
	"  mov .Lpat+24(%rip), %rdx\n mov .Lpat+32(%rip), %rsi\n mov .Lpat+40(%rip), %rbp\n"
	"  mov .Lpat+48(%rip), %r8\n mov .Lpat+56(%rip), %r9\n mov .Lpat+64(%rip), %r10\n"
	"  mov .Lpat+72(%rip), %r11\n mov .Lpat+80(%rip), %r12\n mov .Lpat+88(%rip), %r13\n"
	"  mov .Lpat+96(%rip), %r14\n mov .Lpat+104(%rip), %r15\n"
	"1: incq spins(%rip)\n"
	"  cmpl $0, (%rdi)\n"
	"  je 1b\n"
	"  cmp .Lpat+0(%rip), %rax\n jne .Lbad1\n"
	"  cmp .Lpat+8(%rip), %rbx\n jne .Lbad2\n"
	"  cmp .Lpat+16(%rip), %rcx\n jne .Lbad3\n"
	"  cmp .Lpat+24(%rip), %rdx\n jne .Lbad4\n"
	"  cmp .Lpat+32(%rip), %rsi\n jne .Lbad5\n"
	"  cmp .Lpat+40(%rip), %rbp\n jne .Lbad6\n"
	"  cmp .Lpat+48(%rip), %r8\n jne .Lbad8\n"
	"  cmp .Lpat+56(%rip), %r9\n jne .Lbad9\n"
	"  cmp .Lpat+64(%rip), %r10\n jne .Lbad10\n"
	"  cmp .Lpat+72(%rip), %r11\n jne .Lbad11\n"
	"  cmp .Lpat+80(%rip), %r12\n jne .Lbad12\n"
	"  cmp .Lpat+88(%rip), %r13\n jne .Lbad13\n"
	"  cmp .Lpat+96(%rip), %r14\n jne .Lbad14\n"
	"  cmp .Lpat+104(%rip), %r15\n jne .Lbad15\n"
	"  movdqu .Lxmm(%rip), %xmm1\n pcmpeqb %xmm0, %xmm1\n pmovmskb %xmm1, %eax\n"
	"  cmp $0xffff, %eax\n jne .Lbad16\n"
	"  xor %eax, %eax\n jmp .Lout\n"
	".Lbad1: mov $1, %eax\n jmp .Lout\n"
	".Lbad2: mov $2, %eax\n jmp .Lout\n"
	".Lbad3: mov $3, %eax\n jmp .Lout\n"
	".Lbad4: mov $4, %eax\n jmp .Lout\n"
	".Lbad5: mov $5, %eax\n jmp .Lout\n"
	".Lbad6: mov $6, %eax\n jmp .Lout\n"
	".Lbad8: mov $8, %eax\n jmp .Lout\n"
	".Lbad9: mov $9, %eax\n jmp .Lout\n"
	".Lbad10: mov $10, %eax\n jmp .Lout\n"
	".Lbad11: mov $11, %eax\n jmp .Lout\n"
	".Lbad12: mov $12, %eax\n jmp .Lout\n"
	".Lbad13: mov $13, %eax\n jmp .Lout\n"
	".Lbad14: mov $14, %eax\n jmp .Lout\n"
	".Lbad15: mov $15, %eax\n jmp .Lout\n"
	".Lbad16: mov $16, %eax\n"
	".Lout:\n"
	"  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"  ret\n"
	".size spin_with_patterns, . - spin_with_patterns\n"
	".section .rodata\n"
	".balign 16\n"
	".Lxmm: .quad 0x0123456789abcdef, 0xfedcba9876543210\n"
	".Lpat: .quad 0x1111111111111101, 0x2222222222222202, 0x3333333333333303\n"
	"  .quad 0x4444444444444404, 0x5555555555555505, 0x6666666666666606\n"
	"  .quad 0x8888888888888808, 0x9999999999999909, 0xaaaaaaaaaaaaaa0a\n"
	"  .quad 0xbbbbbbbbbbbbbb0b, 0xcccccccccccccc0c, 0xdddddddddddddd0d\n"
	"  .quad 0xeeeeeeeeeeeeee0e, 0xefefefefefefef0f\n"
	".text\n");

/* Spins until the handler of SIGUSR2 runs; exits with spin_with_patterns' verdict, or 100 if
 * the signal came before the spinning did. */
static int spinner(int unused)
{
	(void)unused;
	int bad = spin_with_patterns(&flag);
	return bad ? bad : spins_at_signal ? 0 : 100;
}

static int install(int sig, void (*handler)(int))
{
	struct sigaction sa = {.sa_handler = handler};
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

int main(void)
{
	check(install(SIGUSR1, on_usr1) == 0 && install(SIGUSR2, on_usr2) == 0, "install handlers");
	errno = 0;
	check(kill(getpid(), SIGUSR1) == 0 && runs == 1, "kill(self): the handler ran before kill returned");
	check(errno == 0, "errno untouched");
	check(blocked_inside == 1, "the signal was blocked while its handler ran");
	sigset_t set, old, now;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	check(sigprocmask(SIG_BLOCK, &set, &old) == 0, "block SIGUSR1");
	check(kill(getpid(), SIGUSR1) == 0 && runs == 1, "kill(self) while blocked: the handler waits");
	check(sigprocmask(SIG_SETMASK, &old, NULL) == 0 && runs == 2, "unblock: the handler runs");
	check(sigprocmask(SIG_BLOCK, NULL, &now) == 0 && !sigismember(&now, SIGUSR1),
	      "SIGUSR1 unblocked again after its handler");

	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigemptyset(&ign.sa_mask);
	check(sigaction(SIGUSR1, &ign, NULL) == 0 && kill(getpid(), SIGUSR1) == 0 && runs == 2,
	      "SIG_IGN: the signal is thrown away");

	pid_t child = spawn(spinner, 0);
	sleep_ms(50);
	check(kill(child, SIGUSR2) == 0, "SIGUSR2 to a child spinning in assembly");
	check_exit(child, 0, "the handler ran and returned; every register held its pattern");
	return check_status();
}
