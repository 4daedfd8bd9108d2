/*
 * Two processes keep running sums in SSE (double) and x87 (long double) registers while they
 * yield to each other and are preempted: the kernel moves each one's x87/SSE state lazily, on
 * its first floating-point instruction after a switch, so a mistake there shows as a wrong sum.
 * Compiled code keeps nothing in those registers across a call, so each process also holds
 * all sixteen xmm registers and st0 live across sched_yield itself (the syscall preserves them).
 */
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define STEPS 20000

/* Sums k/4 STEPS times in both units; 0 when both sums are exact. */
static int sums(int k)
{
	double sse = 0;
	long double x87 = 0;
	for (int i = 0; i < STEPS; i++) {
		sse += k * 0.25;
		x87 += k * 0.25L;
		if (i % 16 == 0)
			sched_yield();
	}
	double want = k * 0.25 * STEPS;
	return sse == want && x87 == (long double)want ? 0 : 1;
}

/* Loads xmm0-15 and st0 from seed, yields, stores them back; 0 when all came back. */
static int live_across_yield(unsigned long seed)
{
	unsigned long in[16][2], out[16][2];
	long double x87_in = (long double)seed, x87_out = 0;
	for (int i = 0; i < 16; i++)
		in[i][0] = seed * 1000 + (unsigned long)i, in[i][1] = ~in[i][0];
	for (int round = 0; round < 50; round++) {
		__asm__ __volatile__(
			"fldt %[x87_in]\n\t"
			"movdqu 0(%[in]), %%xmm0\n\t movdqu 16(%[in]), %%xmm1\n\t"
			"movdqu 32(%[in]), %%xmm2\n\t movdqu 48(%[in]), %%xmm3\n\t"
			"movdqu 64(%[in]), %%xmm4\n\t movdqu 80(%[in]), %%xmm5\n\t"
			"movdqu 96(%[in]), %%xmm6\n\t movdqu 112(%[in]), %%xmm7\n\t"
			"movdqu 128(%[in]), %%xmm8\n\t movdqu 144(%[in]), %%xmm9\n\t"
			"movdqu 160(%[in]), %%xmm10\n\t movdqu 176(%[in]), %%xmm11\n\t"
			"movdqu 192(%[in]), %%xmm12\n\t movdqu 208(%[in]), %%xmm13\n\t"
			"movdqu 224(%[in]), %%xmm14\n\t movdqu 240(%[in]), %%xmm15\n\t"
			"mov %[nr], %%eax\n\t"
			"syscall\n\t"
			"movdqu %%xmm0, 0(%[out])\n\t movdqu %%xmm1, 16(%[out])\n\t"
			"movdqu %%xmm2, 32(%[out])\n\t movdqu %%xmm3, 48(%[out])\n\t"
			"movdqu %%xmm4, 64(%[out])\n\t movdqu %%xmm5, 80(%[out])\n\t"
			"movdqu %%xmm6, 96(%[out])\n\t movdqu %%xmm7, 112(%[out])\n\t"
			"movdqu %%xmm8, 128(%[out])\n\t movdqu %%xmm9, 144(%[out])\n\t"
			"movdqu %%xmm10, 160(%[out])\n\t movdqu %%xmm11, 176(%[out])\n\t"
			"movdqu %%xmm12, 192(%[out])\n\t movdqu %%xmm13, 208(%[out])\n\t"
			"movdqu %%xmm14, 224(%[out])\n\t movdqu %%xmm15, 240(%[out])\n\t"
			"fstpt %[x87_out]\n\t"
			: [x87_out] "=m"(x87_out)
			: [in] "r"(in), [out] "r"(out), [x87_in] "m"(x87_in), [nr] "i"(SYS_sched_yield)
			: "rax", "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
			  "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
			  "xmm15");
		for (int i = 0; i < 16; i++)
			if (out[i][0] != in[i][0] || out[i][1] != in[i][1])
				return 1;
		if (x87_out != x87_in)
			return 1;
	}
	return 0;
}

int main(void)
{
	pid_t child = fork();
	if (child == 0)
		_exit(sums(3) | live_across_yield(3));
	int bad = sums(5) | live_across_yield(5), status;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		bad |= 2;
	printf(bad ? "x87/SSE state corrupted (%d)\n" : "x87/SSE state kept\n", bad);
	return bad;
}
