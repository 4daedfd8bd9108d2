/*
 * Reading memory never touched costs no memory: a write(2) from a 64 MiB untouched buffer
 * succeeds with 16 MiB of RAM (the kernel reads the shared zero frame), and leaves the RAM free
 * for 12 MiB that are then really used. Run with --mem=16M, standard output to /dev/null.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define BIG (64UL << 20)
#define USED (12UL << 20)

int main(void)
{
	/* MAP_NORESERVE: larger than all of memory, which mmap refuses otherwise (as Linux's
	 * overcommit heuristic does). */
	char *big = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (big == MAP_FAILED)
		return 2;
	long n = write(1, big, BIG);
	if (n != (long)BIG) {
		dprintf(2, "write from an untouched buffer: %ld\n", n);
		return 1;
	}
	char *used = mmap(NULL, USED, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (used == MAP_FAILED)
		return 2;
	for (unsigned long i = 0; i < USED; i += 4096)
		used[i] = 1; /* killed here if the write kept frames */
	return big[BIG - 1];
}
