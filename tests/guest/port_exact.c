/*
 * Port I/O without permission faults exactly: SIGSEGV at the instruction, with the registers
 * and memory as they were before it; nothing before it runs twice, nothing after it runs.
 * The handler resumes past the instruction each time. Each form: in, out, with an immediate
 * port or dx, and rep ins/outs (which would change rcx, rsi, rdi and memory if they ran), and
 * the first of many in one block.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"

unsigned long before, after, resume, at, seen_rip, seen_rax, seen_rbx, seen_rcx, seen_rsi,
	seen_rdi;
unsigned char buf[8] = "abcdefg";

static void on_segv(int sig, siginfo_t *info, void *context)
{
	(void)sig, (void)info;
	greg_t *r = ((ucontext_t *)context)->uc_mcontext.gregs;
	seen_rip = (unsigned long)r[REG_RIP], seen_rax = (unsigned long)r[REG_RAX];
	seen_rbx = (unsigned long)r[REG_RBX], seen_rcx = (unsigned long)r[REG_RCX];
	seen_rsi = (unsigned long)r[REG_RSI], seen_rdi = (unsigned long)r[REG_RDI];
	r[REG_RIP] = (greg_t)resume;
}

/* Runs insn after a counted store, with rax, rcx, rsi, rdi, dx set; then one that must not run. */
#define FORM(fn, insn)                                                                   \
	static void fn(void)                                                             \
	{                                                                                \
		__asm__ __volatile__("lea 1f(%%rip), %%rax\n\t"                          \
				     "mov %%rax, resume(%%rip)\n\t"                      \
				     "lea 2f(%%rip), %%rax\n\t"                          \
				     "mov %%rax, at(%%rip)\n\t"                          \
				     "mov $0x1122334455667788, %%rax\n\t"                \
				     "mov $1, %%ebx\n\t"                                 \
				     "mov $4, %%ecx\n\t"                                 \
				     "lea buf(%%rip), %%rsi\n\t"                         \
				     "lea buf(%%rip), %%rdi\n\t"                         \
				     "mov $0x80, %%edx\n\t"                              \
				     "incq before(%%rip)\n\t"                            \
				     "2: " insn "\n\t"                                   \
				     "mov $2, %%ebx\n\t"                                 \
				     "incq after(%%rip)\n\t"                             \
				     "1:\n\t"                                            \
				     : : : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "memory"); \
	}

FORM(out_imm, "outb %%al, $0x80")
FORM(in_imm, "inb $0x80, %%al")
FORM(in_dx, "inl (%%dx), %%eax")
FORM(out_dx, "outw %%ax, (%%dx)")
FORM(rep_outs, "rep outsb")
FORM(rep_ins, "rep insb")
#define OUT4 "outb %%al, (%%dx)\n\t outb %%al, (%%dx)\n\t outb %%al, (%%dx)\n\t outb %%al, (%%dx)\n\t"
FORM(many_outs, OUT4 OUT4 OUT4 OUT4 OUT4)

static void run(const char *name, void (*form)(void))
{
	char what[96];
	before = after = 0;
	seen_rip = 0;
	form();
	unsigned long buf_addr = (unsigned long)buf;
	int ok = seen_rip == at && before == 1 && after == 0 && seen_rbx == 1 &&
		 seen_rax == 0x1122334455667788UL && seen_rcx == 4 && seen_rsi == buf_addr &&
		 seen_rdi == buf_addr && !memcmp(buf, "abcdefg", 8);
	snprintf(what, sizeof what, "%s: SIGSEGV at it, nothing changed", name);
	check(ok, what);
}

/* 100 port instructions at as many places, each written and run once: each faults at itself
 * (more places than the simulator keeps watches for at once). */
static void many_places(void)
{
	unsigned char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ok = page != MAP_FAILED;
	for (int i = 0; ok && i < 100; i++) {
		unsigned char *at = page + 16 * i;
		at[0] = 0xee; /* out %al, (%dx) */
		at[1] = 0xc3; /* ret */
		resume = (unsigned long)(at + 1);
		seen_rip = 0;
		((void (*)(void))at)();
		ok = seen_rip == (unsigned long)at;
	}
	check(ok, "100 places, each faulting at itself");
}

int main(void)
{
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};
	sigaction(SIGSEGV, &sa, NULL);
	run("out imm8", out_imm);
	run("in imm8", in_imm);
	run("in dx", in_dx);
	run("out dx", out_dx);
	run("rep outsb", rep_outs);
	run("rep insb", rep_ins);
	run("the first of 20 outs", many_outs);
	many_places();
	return check_status();
}
