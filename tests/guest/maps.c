/*
 * Many mappings: thousands of single-page mmaps, holes punched by munmap and filled again,
 * mprotect across them, every page keeping its own contents. The regions' structure must keep
 * each call cheap (a list made 4,000 mappings take 16 s). With "forever" it maps pages until
 * the simulator's --max-time asks it to stop.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096UL
#define COUNT 10000

static unsigned long *pages[COUNT];

static void *map_page(void)
{
	return mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static int forever(void)
{
	for (;;)
		if (map_page() == MAP_FAILED)
			return 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "forever"))
		return forever();
	int mapped = 1, kept = 1, refilled = 1, protected = 1;
	for (int i = 0; i < COUNT; i++) {
		pages[i] = map_page();
		if (pages[i] == MAP_FAILED) {
			mapped = 0;
			break;
		}
		pages[i][0] = (unsigned long)i;
	}
	check(mapped, "10000 single-page mmaps");
	for (int i = 0; mapped && i < COUNT; i += 2)
		mapped = munmap(pages[i], PAGE) == 0;
	check(mapped, "every other one unmapped");
	for (int i = 0; mapped && i < COUNT; i += 2) {
		pages[i] = map_page();
		refilled &= pages[i] != MAP_FAILED;
		if (pages[i] != MAP_FAILED)
			pages[i][0] = (unsigned long)i;
	}
	check(refilled, "the holes mapped again");
	for (int i = 1; refilled && i < COUNT; i += 4)
		protected &= mprotect(pages[i], PAGE, PROT_READ) == 0;
	check(protected, "a quarter made read-only");
	for (int i = 0; refilled && i < COUNT; i++)
		kept &= pages[i][0] == (unsigned long)i;
	check(kept, "every page kept its own contents");
	return check_status();
}
