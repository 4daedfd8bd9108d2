/*
 * stdio as musl gives it: printf's conversions, scanf and sscanf, a file written with fprintf
 * and fputs and read back with fgets and fscanf, fseek/ftell/ungetc, and buffering: a fully
 * buffered stream writes nothing before fflush, a line-buffered one writes each line, an
 * unbuffered one each call.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>

#include "ul.h"

/* The size of path on disk (what the stream has written so far), or -1. */
static long long disk_size(const char *path)
{
	struct stat st;
	return stat(path, &st) ? -1 : (long long)st.st_size;
}

static void formats(void)
{
	char buf[256];
	snprintf(buf, sizeof buf, "[%d|%5d|%-5d|%05d|%+d|%x|%#X|%o|%lld|%llu|%zu|%c|%%]", -42, 42,
		 42, 42, 7, 255u, 255u, 8u, LLONG_MIN, ULLONG_MAX, (size_t)123, 'Z');
	printf("%s\n", buf);
	check(!strcmp(buf, "[-42|   42|42   |00042|+7|ff|0XFF|10|-9223372036854775808|"
			   "18446744073709551615|123|Z|%]"),
	      "integer conversions");
	snprintf(buf, sizeof buf, "[%.3f|%10.2f|%e|%g|%g|%a]", 3.14159265, -2.5, 12345.678, 0.0001,
		 1e20, 1.0);
	printf("%s\n", buf);
	check(!strcmp(buf, "[3.142|     -2.50|1.234568e+04|0.0001|1e+20|0x1p+0]"),
	      "floating-point conversions");
	snprintf(buf, sizeof buf, "[%s|%8s|%-8s|%.3s|%*d|%p]", "str", "right", "left", "truncate",
		 6, 99, (void *)0);
	printf("%s\n", buf);
	volatile size_t small = 8; /* not a constant, or the compiler warns of the truncation */
	int n = snprintf(buf, small, "%s", "a longer string");
	check(n == 15 && !strcmp(buf, "a longe"), "snprintf truncates and counts everything");
}

static void scanning(void)
{
	int i = 0, j = 0;
	unsigned x = 0;
	double d = 0;
	char word[16] = "", rest[32] = "";
	int n = sscanf("  -17 0x1f 2.5e3 hello world!", "%d %x %lf %15s %31[^\n]", &i, &x, &d, word,
		       rest);
	printf("sscanf: %d fields: %d %u %.1f '%s' '%s'\n", n, i, x, d, word, rest);
	check(n == 5 && i == -17 && x == 31 && d == 2500.0 && !strcmp(word, "hello") &&
		      !strcmp(rest, "world!"),
	      "sscanf reads every field");
	n = sscanf("12 abc", "%d %d", &i, &j);
	check(n == 1, "sscanf stops at the first field that does not match");
	check(sscanf("", "%d", &i) == EOF, "sscanf of an empty string is EOF");

	/* scanf reads stdin: give it a file. */
	FILE *f = fopen("input.txt", "w");
	fputs("3\n10 20 30\nname: Eclipse\n", f);
	fclose(f);
	if (!freopen("input.txt", "r", stdin)) {
		check(0, "freopen stdin");
		return;
	}
	int count = 0, sum = 0, v;
	char name[32] = "";
	if (scanf("%d", &count) == 1)
		for (int k = 0; k < count && scanf("%d", &v) == 1; k++)
			sum += v;
	n = scanf(" name: %31s", name);
	printf("scanf: %d numbers, sum %d, name %s\n", count, sum, name);
	check(count == 3 && sum == 60 && n == 1 && !strcmp(name, "Eclipse"), "scanf from stdin");
	check(scanf("%d", &v) == EOF && feof(stdin), "scanf at the end of stdin: EOF");
}

static void files(void)
{
	FILE *f = fopen("lines.txt", "w");
	if (!check(f != NULL, "fopen for writing"))
		return;
	for (int i = 0; i < 100; i++)
		fprintf(f, "line %03d %s\n", i, i % 2 ? "odd" : "even");
	fputs("no newline at the end", f);
	check(fclose(f) == 0, "fclose");

	f = fopen("lines.txt", "r");
	if (!check(f != NULL, "fopen for reading"))
		return;
	char line[64];
	int lines = 0, good = 1;
	while (fgets(line, sizeof line, f)) {
		char want[64];
		if (lines < 100)
			snprintf(want, sizeof want, "line %03d %s\n", lines, lines % 2 ? "odd" : "even");
		else
			strcpy(want, "no newline at the end");
		good &= !strcmp(line, want);
		lines++;
	}
	check(lines == 101 && good && feof(f) && !ferror(f), "fgets reads back every line");
	long size = ftell(f);
	printf("file size by ftell: %ld\n", size);
	check(size == disk_size("lines.txt"), "ftell at the end is the file's size");

	check(fseek(f, 9, SEEK_SET) == 0 && fgetc(f) == 'e' && ftell(f) == 10, "fseek and fgetc");
	check(ungetc('X', f) == 'X' && fgetc(f) == 'X' && fgetc(f) == 'v', "ungetc");
	check(fseek(f, -21, SEEK_END) == 0 && fgets(line, sizeof line, f) &&
		      !strcmp(line, "no newline at the end"),
	      "fseek from the end");
	rewind(f);
	int num;
	char kind[8];
	check(fscanf(f, "line %d %7s", &num, kind) == 2 && num == 0 && !strcmp(kind, "even"),
	      "fscanf after rewind");
	fclose(f);

	f = fopen("lines.txt", "a+");
	fputs("\nappended\n", f);
	fseek(f, 0, SEEK_SET);
	check(fgets(line, sizeof line, f) && !strcmp(line, "line 000 even\n"), "a+ reads from the start");
	fclose(f);
	check(disk_size("lines.txt") == size + 10, "a+ wrote at the end");

	check(fopen("missing/file", "r") == NULL && errno == ENOENT, "fopen of a missing file: ENOENT");
	f = fopen("lines.txt", "r");
	check(f && fputs("x", f) == EOF && ferror(f), "writing a read-only stream fails");
	if (f)
		fclose(f);
}

static void buffering(void)
{
	static char big[4096];
	FILE *f = fopen("full.txt", "w");
	check(setvbuf(f, big, _IOFBF, sizeof big) == 0, "setvbuf _IOFBF");
	fputs("first line\nsecond line\n", f);
	check(disk_size("full.txt") == 0, "a fully buffered stream holds whole lines");
	for (int i = 0; i < 1000; i++)
		fputs("0123456789", f);
	long long mid = disk_size("full.txt");
	check(mid >= 4096 && mid < 10023, "a full buffer goes out, the rest stays until fflush");
	fflush(f);
	check(disk_size("full.txt") == 10023, "fflush writes the rest");
	fclose(f);

	f = fopen("line.txt", "w");
	setvbuf(f, NULL, _IOLBF, 1024);
	fputs("partial", f);
	check(disk_size("line.txt") == 0, "a line-buffered stream holds a partial line");
	fputs(" then newline\nmore", f);
	check(disk_size("line.txt") == 21, "a line-buffered stream writes at the newline");
	fclose(f);
	check(disk_size("line.txt") == 25, "fclose writes the rest");

	f = fopen("none.txt", "w");
	setvbuf(f, NULL, _IONBF, 0);
	fputc('a', f);
	fputs("bc", f);
	check(disk_size("none.txt") == 3, "an unbuffered stream writes at once");
	fclose(f);

	/* stdout itself: what was printf'd before a fork must not come out twice. */
	printf("stdout is %s\n", isatty(1) ? "a terminal" : "not a terminal");
	fflush(stdout);
}

int main(void)
{
	ul_enter_tmpdir("stdio");
	formats();
	scanning();
	files();
	buffering();
	ul_leave_tmpdir();
	return check_status();
}
