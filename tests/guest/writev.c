/* writev gathers its pieces, in order, into one write; empty pieces are skipped. */
#include <sys/uio.h>

#include "check.h"

#define PIECE(s) { (char *)(s), sizeof(s) - 1 }

int main(void)
{
	struct iovec three[3] = { PIECE("one, "), PIECE("two, "), PIECE("three\n") };
	struct iovec with_empty[3] = { PIECE("before "), PIECE(""), PIECE("after\n") };

	setvbuf(stdout, NULL, _IOLBF, 0); /* its lines and the writev's, in the order they happen */

	ssize_t n = writev(1, three, 3);
	check(n == 16, "writev of three pieces returns 16");
	n = writev(1, with_empty, 3);
	check(n == 13, "writev with an empty piece returns 13");
	check(writev(1, three, 0) == 0, "writev of no pieces returns 0");
	return check_status();
}
