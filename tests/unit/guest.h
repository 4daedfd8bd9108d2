/*
 * The fixture of the syscall suite: a kernel booted on the fake platform, running the hello
 * guest program as process 1 (guest). Its tests make system calls as that process would.
 */
#ifndef GUEST_H
#define GUEST_H

#include <kernel/kernel.h>

#include "unit.h"

#define GUEST_PATH "/bin/hello"
#define PG 4096ull
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define NONE ((uint64_t)-1) /* fd -1, and the like */

extern unsigned char *guest_image; /* the hello program's file */
extern size_t guest_image_len;
extern struct thread *guest; /* process 1's thread */
extern int guest_pid;
extern struct newc guest_boot_image; /* empty until a test fills it; freed by the fixture */

/* Brings the kernel up with cfg and spawns the guest; fails the test if that fails. */
void guest_boot(const struct kernel_config *cfg);
/* Checked fixture: fresh RAM, a kernel with the default configuration, the guest. */
void guest_setup(void);
void guest_teardown(void);
/* Syscall nr of thread q with arguments a, as its trap would make it. */
long guest_call(struct thread *q, uint64_t nr, const uint64_t a[6]);
/* A syscall of the guest with up to six arguments (missing ones are 0). */
#define SYS(nr, ...) guest_call(guest, nr, (const uint64_t[6]){__VA_ARGS__})
/* A fresh anonymous read-write mapping of len bytes in the guest. */
uint64_t guest_buf(size_t len);
/* len bytes of the guest's memory that end where an unmapped page begins. */
uint64_t guest_guarded(size_t len);
/* s (with its NUL) in the guest's memory. */
uint64_t guest_str(const char *s);
/* A struct linux_timespec in the guest's memory. */
uint64_t guest_timespec(long long sec, long long nsec);
/* What the kernel wrote to standard output and standard error. */
const char *console_out(void);
const char *console_err(void);
/* Shuts the kernel down and fails the test unless every frame and object came back. */
void expect_free_after_fini(void);
/* Adds the trap-loop and process-lifetime test cases (test_trap.c) to the syscall suite. */
void trap_tcases(Suite *s);

#endif
