/*
 * Raw system calls, musl-style: the Linux x86_64 convention (number in rax, arguments in rdi,
 * rsi, rdx, r10, r8, r9; the syscall instruction clobbers rcx and r11), returning the kernel's
 * value unchanged, -errno included. Wrappers pass that value through syscall_ret().
 */
#ifndef ECL_SYSCALL_H
#define ECL_SYSCALL_H

#include <eclipse.h>
#include <linux.h>

/* Returns r, or -1 with errno set when r is a -errno value (-4095..-1). */
long syscall_ret(unsigned long r);

static inline long syscall0(long n)
{
	unsigned long ret;
	__asm__ __volatile__("syscall" : "=a"(ret) : "a"(n) : "rcx", "r11", "memory");
	return (long)ret;
}

static inline long syscall1(long n, long a1)
{
	unsigned long ret;
	__asm__ __volatile__("syscall" : "=a"(ret) : "a"(n), "D"(a1) : "rcx", "r11", "memory");
	return (long)ret;
}

static inline long syscall2(long n, long a1, long a2)
{
	unsigned long ret;
	__asm__ __volatile__("syscall" : "=a"(ret) : "a"(n), "D"(a1), "S"(a2)
			     : "rcx", "r11", "memory");
	return (long)ret;
}

static inline long syscall3(long n, long a1, long a2, long a3)
{
	unsigned long ret;
	__asm__ __volatile__("syscall" : "=a"(ret) : "a"(n), "D"(a1), "S"(a2), "d"(a3)
			     : "rcx", "r11", "memory");
	return (long)ret;
}

static inline long syscall4(long n, long a1, long a2, long a3, long a4)
{
	unsigned long ret;
	register long r10 __asm__("r10") = a4;
	__asm__ __volatile__("syscall" : "=a"(ret) : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
			     : "rcx", "r11", "memory");
	return (long)ret;
}

static inline long syscall5(long n, long a1, long a2, long a3, long a4, long a5)
{
	unsigned long ret;
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	__asm__ __volatile__("syscall" : "=a"(ret)
			     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
			     : "rcx", "r11", "memory");
	return (long)ret;
}

static inline long syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	unsigned long ret;
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	__asm__ __volatile__("syscall" : "=a"(ret)
			     : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			     : "rcx", "r11", "memory");
	return (long)ret;
}

#endif
