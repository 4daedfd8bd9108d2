/*
 * Memory management as a program sees it: the break (brk/sbrk), anonymous mmap, mprotect,
 * partial munmap, the errors of bad requests, and malloc/calloc/realloc/free under stress.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "brk.h"
#include "check.h"

#define PAGE 4096UL

/* Whether n bytes at p read as zero. */
static int zeroed(const volatile char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void fill(char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)(seed + i * 31);
}

/* Whether n bytes at p still hold what fill(p, n, seed) wrote. */
static int filled(const volatile char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (char)(seed + i * 31))
			return 0;
	return 1;
}

static void test_brk(void)
{
	char *start = sbrk(0);
	char *page = (char *)(((uintptr_t)start + PAGE - 1) & ~(PAGE - 1));

	check(start != (void *)-1 && break_set(NULL) == start, "brk(0) and sbrk(0) agree");
	check(break_set(start + 3 * PAGE) == start + 3 * PAGE && sbrk(0) == start + 3 * PAGE,
	      "brk grows by 3 pages");
	fill(start, 3 * PAGE, 1);
	check(filled(start, 3 * PAGE, 1), "brk memory written and read back");
	check(break_set(start) == start && sbrk(0) == start, "brk shrinks back");
	check(break_move(2 * PAGE) == start && sbrk(0) == start + 2 * PAGE, "sbrk grows by 2 pages");
	check(zeroed(page, PAGE), "regrown break reads as zero");
	fill(start, 2 * PAGE, 2);
	check(filled(start, 2 * PAGE, 2), "sbrk memory written and read back");
	check(break_move(-(intptr_t)(2 * PAGE)) == start + 2 * PAGE && sbrk(0) == start,
	      "sbrk shrinks back");
}

static void test_mmap(void)
{
	const size_t mib = 1 << 20;
	const int rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;
	char *m = mmap(NULL, mib, rw, anon, -1, 0);
	int ok = 1;

	check(m != MAP_FAILED && ((uintptr_t)m & (PAGE - 1)) == 0, "mmap 1 MiB anonymous RW");
	if (m == MAP_FAILED)
		return;
	for (size_t off = 0; off < mib; off += PAGE) {
		ok &= zeroed(m + off, PAGE);
		fill(m + off, PAGE, (unsigned)off);
	}
	for (size_t off = 0; off < mib; off += PAGE)
		ok &= filled(m + off, PAGE, (unsigned)off);
	check(ok, "every page zero, then written and read back");
	check(munmap(m, mib) == 0, "munmap 1 MiB");

	m = mmap(NULL, 2 * PAGE, PROT_READ, anon, -1, 0);
	check(m != MAP_FAILED && zeroed(m, 2 * PAGE), "mmap PROT_READ reads zeros");
	check(mprotect(m, 2 * PAGE, rw) == 0, "mprotect to RW");
	fill(m, 2 * PAGE, 3);
	check(filled(m, 2 * PAGE, 3), "written after mprotect");
	check(munmap(m, 2 * PAGE) == 0, "munmap after mprotect");

	m = mmap(NULL, 4 * PAGE, rw, anon, -1, 0);
	check(m != MAP_FAILED, "mmap 4 pages");
	fill(m, 4 * PAGE, 4);
	check(munmap(m + PAGE, PAGE) == 0, "munmap the second page");
	check(filled(m, PAGE, 4) && filled(m + 2 * PAGE, 2 * PAGE, 4 + 2 * PAGE * 31),
	      "pages around the hole keep their contents");
	fill(m, PAGE, 5);
	fill(m + 2 * PAGE, 2 * PAGE, 6);
	check(filled(m, PAGE, 5) && filled(m + 2 * PAGE, 2 * PAGE, 6), "pages around the hole writable");

	check_errno((long)mmap(NULL, PAGE, rw, MAP_ANONYMOUS, -1, 0), EINVAL,
		    "mmap without MAP_PRIVATE or MAP_SHARED -> EINVAL");
	check_errno((long)mmap(NULL, 0, rw, anon, -1, 0), EINVAL, "mmap of length 0 -> EINVAL");
	check_errno(munmap(m + 1, PAGE), EINVAL, "munmap of an unaligned address -> EINVAL");
	check(munmap(m, PAGE) == 0 && munmap(m + 2 * PAGE, 2 * PAGE) == 0, "munmap the rest");
}

/* A small deterministic generator, so the output is the same on every run. */
static unsigned rand_state = 12345;
static unsigned next_rand(void)
{
	rand_state = rand_state * 1103515245 + 12345;
	return rand_state >> 8;
}

#define SLOTS 64

static void test_malloc(void)
{
	struct {
		char *p;
		size_t n;
		unsigned seed;
	} slot[SLOTS] = { 0 };
	int ok = 1, aligned = 1;

	for (unsigned round = 0; round < 3000; round++) {
		unsigned i = next_rand() % SLOTS, r = next_rand();
		if (slot[i].p) {
			ok &= filled(slot[i].p, slot[i].n, slot[i].seed);
			free(slot[i].p);
			slot[i].p = NULL;
			continue;
		}
		/* Mostly small blocks, some medium, a few above the mmap threshold. */
		size_t n = r % 32 == 0 ? 128 * 1024 + r % 200000 : r % 4 == 0 ? r % 16384 : r % 256;
		slot[i].p = malloc(n);
		slot[i].n = n;
		slot[i].seed = round;
		if (!slot[i].p) {
			ok = 0;
			continue;
		}
		aligned &= ((uintptr_t)slot[i].p & 15) == 0;
		fill(slot[i].p, n, round);
	}
	for (unsigned i = 0; i < SLOTS; i++) {
		if (slot[i].p)
			ok &= filled(slot[i].p, slot[i].n, slot[i].seed);
		free(slot[i].p);
	}
	check(ok, "malloc/free stress keeps every block's contents");
	check(aligned, "malloc results 16-byte aligned");

	char *p = malloc(100);
	fill(p, 100, 7);
	p = realloc(p, 5000);
	ok = p && filled(p, 100, 7);
	p = realloc(p, 300000);
	ok &= p && filled(p, 100, 7);
	p = realloc(p, 50);
	ok &= p && filled(p, 50, 7);
	free(p);
	check(ok, "realloc keeps contents while growing and shrinking");

	/* Dirty some memory, free it, and ask calloc for blocks that reuse it. */
	for (int k = 0; k < 8; k++) {
		p = malloc(1000);
		memset(p, 0xa5, 1000);
		free(p);
	}
	ok = 1;
	for (int k = 0; k < 8; k++) {
		p = calloc(10, 100);
		ok &= p && zeroed(p, 1000);
		free(p);
	}
	check(ok, "calloc returns zeroed memory");
	/* Volatile both: the compiler refuses a calloc it can see overflow, and may take one whose
	 * result is only compared with NULL for a success it need not make. */
	volatile size_t half_of_memory = (size_t)-1 / 2;
	void *volatile huge = calloc(half_of_memory, 4);
	check(huge == NULL && errno == ENOMEM, "calloc overflow -> ENOMEM");
}

/* The edges where Linux answers differently from a naive check. */
static void test_edges(void)
{
	void *last = (void *)0x7ffffffff000UL; /* above Linux's TASK_SIZE: never user memory */
	char *start = sbrk(0);

	check_errno(munmap(last, PAGE), EINVAL, "munmap of the page above the user range -> EINVAL");
	check_errno((long)mmap(last, PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		    ENOMEM, "mmap MAP_FIXED of the page above the user range -> ENOMEM");
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | 0x80, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(p != MAP_FAILED, "mmap ignores an unknown prot bit");
	if (p != MAP_FAILED) {
		p[0] = 1;
		munmap(p, PAGE);
	}
	check(brk(start + (64UL << 40)) == -1 && sbrk(0) == start,
	      "brk cannot grow by 64 TiB (more than all memory)");
}

int main(void)
{
	test_brk();
	test_mmap();
	test_malloc();
	test_edges();
	return check_status();
}
