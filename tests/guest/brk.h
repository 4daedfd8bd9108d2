/*
 * The program break, moved through the kernel's brk call: the tests are about the kernel's
 * break, and musl's brk() and sbrk() refuse to move it (its malloc may own it).
 */
#ifndef GUEST_BRK_H
#define GUEST_BRK_H

#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Asks for the break at addr (NULL: only ask where it is); returns where it is now, which is
 * addr when the kernel moved it, as Linux's brk does. */
static inline char *break_set(void *addr)
{
	return (char *)syscall(SYS_brk, addr);
}

/* Moves the break by inc bytes, as sbrk does; returns the old break, or (void *)-1. */
static inline void *break_move(intptr_t inc)
{
	char *old = break_set(NULL);
	return break_set(old + inc) == old + inc ? old : (void *)-1;
}

#endif
