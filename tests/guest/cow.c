/*
 * Copy-on-write fork: after fork, parent and child each see their own copy of the heap, .data,
 * .bss, the stack and a private anonymous mapping. First the child writes and the parent must
 * keep its old values; then the parent writes while the child, 20 ms later, must still see the
 * old ones. The child also inherits the break. The child prints while the parent waits for it,
 * so the output has one order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "brk.h"
#include "check.h"
#include "proc.h"

#define PAGE 4096UL

static unsigned char data_buf[3 * PAGE] = { 1 };
static unsigned char bss_buf[3 * PAGE];

struct region {
	const char *name;
	unsigned char *p;
	size_t n;
};

enum { HEAP, DATA, BSS, STACK, MMAP, NREGIONS };

static void fill(const struct region *r, unsigned seed)
{
	for (size_t i = 0; i < r->n; i++)
		r->p[i] = (unsigned char)(seed + i * 7 + i / PAGE);
}

static int filled(const struct region *r, unsigned seed)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->p[i] != (unsigned char)(seed + i * 7 + i / PAGE))
			return 0;
	return 1;
}

static void fill_all(const struct region *rs, unsigned seed)
{
	for (int i = 0; i < NREGIONS; i++)
		fill(&rs[i], seed);
}

/* Checks every region holds seed's pattern, one line each: "WHO: NAME WHAT: ok". */
static void check_all(const struct region *rs, unsigned seed, const char *who, const char *what)
{
	char line[128];
	for (int i = 0; i < NREGIONS; i++) {
		snprintf(line, sizeof line, "%s: %s %s", who, rs[i].name, what);
		check(filled(&rs[i], seed), line);
	}
}

/* Waits for child and checks it exited 0. */
static void reap(pid_t child, const char *what)
{
	int status = -1;
	check(child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0, what);
}

int main(void)
{
	unsigned char stack_buf[2 * PAGE];
	unsigned char *heap = malloc(5 * PAGE);
	unsigned char *map = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const struct region rs[NREGIONS] = {
		[HEAP] = { "heap (5 pages)", heap, 5 * PAGE },
		[DATA] = { ".data (3 pages)", data_buf, sizeof data_buf },
		[BSS] = { ".bss (3 pages)", bss_buf, sizeof bss_buf },
		[STACK] = { "stack (2 pages)", stack_buf, sizeof stack_buf },
		[MMAP] = { "mmap (4 pages)", map, 4 * PAGE },
	};

	if (!heap || map == MAP_FAILED) {
		printf("setup: FAIL\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0); /* the children print (proc.h) */

	/* The child writes after fork; the parent must not see it. */
	fill_all(rs, 1);
	void *brk_before = break_set(NULL);
	pid_t child = fork();
	if (child == 0) {
		check_all(rs, 1, "child", "inherited");
		check(break_set(NULL) == brk_before, "child: break equals the parent's");
		check(break_move(PAGE) == brk_before && break_set(NULL) == (char *)brk_before + PAGE,
		      "child: grows its own break");
		fill_all(rs, 2);
		check_all(rs, 2, "child", "written");
		_exit(check_status());
	}
	reap(child, "parent: first child exited 0");
	check_all(rs, 1, "parent", "untouched by the child");
	check(break_set(NULL) == brk_before, "parent: break untouched by the child");

	/* The parent writes after fork; the child, a little later, must still see the old values. */
	child = fork();
	if (child == 0) {
		sleep_ms(20);
		check_all(rs, 1, "child", "still the values at fork");
		_exit(check_status());
	}
	fill_all(rs, 3);
	reap(child, "parent: second child exited 0");
	check_all(rs, 3, "parent", "written");

	free(heap);
	munmap(map, 4 * PAGE);
	return check_status();
}
