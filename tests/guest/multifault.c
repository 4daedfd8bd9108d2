/*
 * Demand paging in a row: 64 untouched anonymous pages, then 64 fresh pages of break, each read
 * (zero) and written on first touch. Under Eclipse every first touch is a page fault the kernel
 * must resolve and resume.
 */
#include <sys/mman.h>

#include "brk.h"
#include "check.h"

#define PAGE 4096UL
#define PAGES 64

/* Touches every page of [p, p + PAGES pages): reads, writes, reads back; returns a checksum. */
static unsigned long touch(volatile unsigned char *p, int *zero)
{
	unsigned long sum = 0;
	for (unsigned long i = 0; i < PAGES; i++) {
		volatile unsigned char *pg = p + i * PAGE;
		unsigned long off = (i * 67) % PAGE;
		*zero &= pg[off] == 0 && pg[PAGE - 1] == 0;
		pg[off] = (unsigned char)(i + 1);
		pg[PAGE - 1] = (unsigned char)(2 * i + 1);
		sum = sum * 31 + pg[off] + pg[PAGE - 1];
	}
	return sum;
}

int main(void)
{
	int zero = 1;
	unsigned char *m = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(m != MAP_FAILED, "mmap 64 untouched pages");
	if (m == MAP_FAILED)
		return 1;
	printf("mmap checksum %lu\n", touch(m, &zero));
	check(zero, "mmap pages read zero before the first write");
	check(munmap(m, PAGES * PAGE) == 0, "munmap");

	unsigned char *b = break_move(PAGES * PAGE);
	check(b != (void *)-1, "sbrk 64 pages");
	if (b == (void *)-1)
		return 1;
	zero = 1;
	printf("brk checksum %lu\n", touch(b, &zero));
	check(zero, "brk pages read zero before the first write");
	check(break_move(-(long)(PAGES * PAGE)) == b + PAGES * PAGE, "sbrk back");
	return check_status();
}
