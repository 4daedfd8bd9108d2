/*
 * The simulator's instruction decoder (sim/insn.c) against a disassembler: reads one
 * instruction a line as hex bytes (objdump -d -w's second column) and checks that insn_length
 * gives its length, both with exactly its bytes readable and with more code after it. A wrong
 * length makes the CPU watch a whole block, which slows every process with code there.
 *
 * usage: objdump -d -w PROGRAM | awk ... | insn_check
 */
#include "insn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	char line[512];
	unsigned long checked = 0, wrong = 0;
	while (fgets(line, sizeof(line), stdin)) {
		uint8_t code[64];
		size_t n = 0;
		for (char *p = strtok(line, " \t\n"); p && n < 16; p = strtok(NULL, " \t\n"))
			code[n++] = (uint8_t)strtoul(p, NULL, 16);
		if (!n)
			continue;
		memset(code + n, 0x90, sizeof(code) - n); /* nops after it */
		size_t exact = insn_length(code, n), more = insn_length(code, sizeof(code));
		checked++;
		if (exact != n || more != n) {
			if (++wrong <= 20) {
				printf("FAIL:");
				for (size_t i = 0; i < n; i++)
					printf(" %02x", code[i]);
				printf(": length %zu, decoded %zu (%zu with more code after)\n", n, exact,
				       more);
			}
		}
	}
	if (!checked) {
		printf("FAIL: no instructions read\n");
		return 1;
	}
	if (wrong) {
		printf("%lu of %lu instructions decoded to a wrong length\n", wrong, checked);
		return 1;
	}
	printf("PASS: %lu instructions\n", checked);
	return 0;
}
