/*
 * Isolation between processes, as Linux keeps it (this runs natively and under eclipse-sim, and
 * both must print the same):
 *   1. A pointer valid only in another process reaches nothing through any syscall argument:
 *      each call fails with EFAULT, and once the caller maps its own page there, the calls read
 *      and write that page and never the other process's.
 *   2. Writes the kernel makes for a syscall into a copy-on-write page (uname, clock_gettime
 *      into memory shared by fork) land in the caller's copy alone, either way round.
 *   3. Text stays read-only: a store into it kills with SIGSEGV, a syscall writing into it fails
 *      with EFAULT; after mprotect(PROT_WRITE) the writer's copy alone changes.
 *   4. Memory never written reads zero (the kernel shares one zero frame for it): the kernel's
 *      writes into such pages land in the writer's copy, never in another page or process.
 *   5. Code shared copy-on-write by fork: the kernel's copy-out over it in the child changes
 *      what the child runs at once, and never what the parent runs.
 * clock_gettime is the system call itself: natively the C library would read the clock in the
 * vDSO, in user mode, and fault where the kernel must fail with EFAULT.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../guest/check.h"
#include "../guest/proc.h"

#define PAGE 4096UL
#define ARCH_GET_FS 0x1003 /* Linux's <asm/prctl.h>, which musl does not ship */
#define ELSEWHERE ((char *)0x60000000UL) /* mapped in the parent only, then in the child too */
#define SECRET "the parent's secret, not the child's"
#define OWN "the child's own page"

/* A function alone on its page: the text the tests write to. */
__attribute__((noinline, aligned(4096))) int victim(void)
{
	return 42;
}

static char *map_at(void *at)
{
	int fixed = at ? MAP_FIXED : 0;
	char *p = mmap(at, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | fixed, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* Waits for child; true when it exited 0 (or was killed by sig, when sig is not 0). */
static int reaped(pid_t child, int sig)
{
	int status = -1;
	if (child <= 0 || waitpid(child, &status, 0) != child)
		return 0;
	return sig ? WIFSIGNALED(status) && WTERMSIG(status) == sig
		   : WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Every syscall that takes a pointer, given p: each reads from it or writes to it. */
static void calls_on(char *p, int expect_fault)
{
	struct iovec iov = {p, 8};
	char *const argv[] = {"isolation", NULL};
	const char *who = expect_fault ? "child, another process's address" : "child, its own page";
	char what[128];
	if (expect_fault) {
		check_errno(write(1, p, 8), EFAULT, "child, another process's address: write from it");
		check_errno(writev(1, &iov, 1), EFAULT, "child, another process's address: writev of it");
	} else {
		printf("child, its own page: write and writev print \"");
		fflush(stdout); /* before the writes to the same descriptor */
		long a = write(1, p, 8), b = writev(1, &iov, 1);
		printf("\"\n");
		check(a == 8 && b == 8, "child, its own page: write and writev from it");
	}
#define CALL(expr, name)                                                                         \
	do {                                                                                     \
		long r_ = (long)(expr);                                                          \
		snprintf(what, sizeof what, "%s: %s", who, name);                                \
		if (expect_fault)                                                                \
			check_errno(r_, EFAULT, what);                                           \
		else                                                                             \
			check(r_ >= 0, what);                                                    \
	} while (0)
	CALL(uname((struct utsname *)p), "uname into it");
	CALL(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p + 512), "clock_gettime into it");
	CALL(sigprocmask(SIG_BLOCK, NULL, (sigset_t *)(p + 1024)), "rt_sigprocmask into it");
	/* The call itself: sigaction() would copy the old action out in user mode. */
	CALL(syscall(SYS_rt_sigaction, SIGUSR1, NULL, p + 1100, 8), "rt_sigaction into it");
	CALL(syscall(SYS_arch_prctl, ARCH_GET_FS, p + 1200), "arch_prctl(ARCH_GET_FS) into it");
	if (expect_fault) {
		CALL(open(p, O_RDONLY), "open of a path in it");
		CALL(execve(p, argv, NULL), "execve of a path in it");
		CALL(nanosleep((struct timespec *)p, NULL), "nanosleep from it");
	}
#undef CALL
}

static int pointers_child(int unused)
{
	(void)unused;
	/* ELSEWHERE was the parent's; the child lets go of its copy. */
	munmap(ELSEWHERE, PAGE);
	calls_on(ELSEWHERE, 1);
	char *own = map_at(ELSEWHERE);
	check(own == ELSEWHERE, "child: maps its own page at the same address");
	if (own) {
		memcpy(own, OWN, sizeof OWN);
		calls_on(own, 0);
		check(!memcmp(own, "Eclipse", 8) || !memcmp(own, "Linux", 6),
		      "child: uname wrote its own page");
	}
	return check_status();
}

static void test_pointers(void)
{
	char *mine = map_at(ELSEWHERE);
	check(mine == ELSEWHERE, "parent: maps its secret page");
	if (!mine)
		return;
	memcpy(mine, SECRET, sizeof SECRET);
	check(reaped(spawn(pointers_child, 0), 0), "parent: the child's checks passed");
	check(!memcmp(mine, SECRET, sizeof SECRET), "parent: its secret page is unchanged");
	munmap(mine, PAGE);
}

static void fill(unsigned char *p, unsigned seed)
{
	for (unsigned long i = 0; i < PAGE; i++)
		p[i] = (unsigned char)(seed + i * 13);
}

static int filled(const unsigned char *p, unsigned seed)
{
	for (unsigned long i = 0; i < PAGE; i++)
		if (p[i] != (unsigned char)(seed + i * 13))
			return 0;
	return 1;
}

static unsigned char *shared_page;

/* The kernel writes into the child's copy of a page shared copy-on-write. */
static int cow_writer_child(int unused)
{
	(void)unused;
	check(filled(shared_page, 1), "child: inherits the page");
	check(uname((struct utsname *)shared_page) == 0 &&
		      syscall(SYS_clock_gettime, CLOCK_MONOTONIC, shared_page + 1024) == 0,
	      "child: uname and clock_gettime into its copy-on-write page");
	check(!filled(shared_page, 1), "child: its copy changed");
	return check_status();
}

/* The child looks, after the parent's kernel writes, at its own copy. */
static int cow_reader_child(int unused)
{
	(void)unused;
	sleep_ms(20);
	check(filled(shared_page, 2), "child: its copy still holds the values at fork");
	return check_status();
}

static void test_copy_on_write(void)
{
	shared_page = (unsigned char *)map_at(NULL);
	check(shared_page != NULL, "parent: maps a page");
	if (!shared_page)
		return;
	fill(shared_page, 1);
	check(reaped(spawn(cow_writer_child, 0), 0), "parent: the writing child's checks passed");
	check(filled(shared_page, 1), "parent: the child's syscall writes did not reach it");
	fill(shared_page, 2);
	pid_t child = spawn(cow_reader_child, 0);
	check(uname((struct utsname *)shared_page) == 0, "parent: uname into the shared page");
	check(reaped(child, 0), "parent: the reading child's checks passed");
	munmap(shared_page, PAGE);
}

static unsigned char *victim_text(void)
{
	return (unsigned char *)(uintptr_t)victim;
}

static int store_to_text_child(int unused)
{
	(void)unused;
	*(volatile unsigned char *)victim_text() = 0xcc;
	return 0; /* not reached */
}

static int mprotect_text_child(int unused)
{
	(void)unused;
	unsigned char *text = victim_text();
	unsigned char before = text[0];
	check(mprotect(text, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC) == 0,
	      "child: mprotect(PROT_WRITE) on its text");
	text[0] = (unsigned char)~before;
	check(text[0] == (unsigned char)~before, "child: its text changed");
	return check_status();
}

static void test_text(void)
{
	unsigned char *text = victim_text();
	unsigned char before = text[0];
	check(((uintptr_t)text & (PAGE - 1)) == 0, "the victim function starts a page");
	check(reaped(spawn(store_to_text_child, 0), SIGSEGV), "a store into text: SIGSEGV");
	check_errno(uname((struct utsname *)text), EFAULT, "uname into text: EFAULT");
	check_errno(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, text), EFAULT,
		    "clock_gettime into text: EFAULT");
	check(text[0] == before, "text unchanged by them");
	check(reaped(spawn(mprotect_text_child, 0), 0), "a child's checks after mprotect passed");
	check(text[0] == before && victim() == 42, "the parent's text unchanged by the child");
}

static int zeroed(const unsigned char *p)
{
	for (unsigned long i = 0; i < PAGE; i++)
		if (p[i])
			return 0;
	return 1;
}

static unsigned char *untouched;

/* The child's kernel writes into a page it only read through the kernel so far. */
static int zero_writer_child(int unused)
{
	(void)unused;
	struct timespec *ts = (struct timespec *)untouched;
	check(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ts) == 0 && (ts->tv_sec || ts->tv_nsec),
	      "child: clock_gettime into a page read as zeros");
	check(zeroed(untouched + PAGE), "child: the page after it still reads zero");
	return check_status();
}

static void test_zero_frame(void)
{
	untouched = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* rt_sigaction copies a new action in: the kernel reads the untouched pages (SIG_DFL). */
	syscall(SYS_rt_sigaction, SIGURG, (long)untouched, 0, 8);
	syscall(SYS_rt_sigaction, SIGURG, (long)(untouched + PAGE), 0, 8);
	check(reaped(spawn(zero_writer_child, 0), 0), "a child's kernel write into a zero page");
	check(zeroed(untouched) && zeroed(untouched + PAGE) && zeroed(untouched + 2 * PAGE),
	      "the parent's untouched pages still read zero");
	char *fresh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(fresh != MAP_FAILED && write(1, fresh, 0) == 0 && zeroed((unsigned char *)fresh),
	      "a new mapping reads zero");
	munmap(fresh, PAGE);
	munmap(untouched, 3 * PAGE);
}

typedef int (*code_fn)(void);
static code_fn volatile shared_code;

/* "mov $n, %eax; ret" as a little-endian word (n even: a signal mask keeps it whole). */
static unsigned long returning(unsigned char n)
{
	return 0xc300000000b8UL | (unsigned long)n << 8;
}

static int code_writer_child(int unused)
{
	(void)unused;
	unsigned long mask = returning(4), none = 0;
	check(shared_code() == 2, "child: runs the code it shares with its parent");
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&mask, 0, 8);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, (long)shared_code, 8);
	check(shared_code() == 4, "child: runs the code the kernel copied over it");
	return check_status();
}

static void test_shared_code(void)
{
	unsigned char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long word = returning(2);
	memcpy(page, &word, sizeof(word));
	shared_code = (code_fn)page;
	check(shared_code() == 2, "code in an anonymous page runs");
	check(reaped(spawn(code_writer_child, 0), 0), "a child's kernel write over shared code");
	check(shared_code() == 2, "the parent still runs its own code");
	munmap(page, PAGE);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* the children print (proc.h) */
	test_pointers();
	test_copy_on_write();
	test_text();
	test_zero_frame();
	test_shared_code();
	return check_status();
}
