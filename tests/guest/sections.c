/*
 * The loader's view of the program's sections: initialized .data, .rodata, and a large .bss that
 * must read as zeros (including the tail of the page .data ends in) and then take writes.
 * External linkage and volatile reads keep the compiler from answering from the initializers.
 */
#include "check.h"

#define BSS_SIZE (1 << 20)

int data_words[4] = { 2, 3, 5, 7 };
char data_text[] = "initialized data";
const char rodata_text[] = "read-only data";
char bss_big[BSS_SIZE];
long bss_word;

static int same(const volatile char *a, const char *b)
{
	for (; *b; a++, b++)
		if (*a != *b)
			return 0;
	return *a == '\0';
}

int main(void)
{
	const volatile int *words = data_words;
	volatile char *big = bss_big;
	int zero = 1, kept = 1;

	check(words[0] == 2 && words[1] == 3 && words[2] == 5 && words[3] == 7, ".data words");
	check(same(data_text, "initialized data"), ".data string");
	data_text[0] = 'I';
	check(same(data_text, "Initialized data"), ".data write");
	check(same(rodata_text, "read-only data"), ".rodata string");

	check(*(volatile long *)&bss_word == 0, ".bss word zero");
	for (long i = 0; i < BSS_SIZE; i++)
		zero &= big[i] == 0;
	check(zero, ".bss 1 MiB zero");
	for (long i = 0; i < BSS_SIZE; i++)
		big[i] = (char)(i * 13);
	for (long i = 0; i < BSS_SIZE; i++)
		kept &= big[i] == (char)(i * 13);
	check(kept, ".bss 1 MiB write and read back");
	return check_status();
}
