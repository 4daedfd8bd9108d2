/* x86-64 instruction lengths, and the instructions Unicorn runs differently from the CPU. */
#ifndef SIM_INSN_H
#define SIM_INSN_H

#include <stddef.h>
#include <stdint.h>

#define INSN_MAX 15 /* the longest x86 instruction, in bytes */

enum insn_kind {
	INSN_OTHER,
	INSN_PORT,  /* in, out, ins, outs: Unicorn runs them at CPL 3; the CPU raises #GP */
	INSN_INT_N, /* int $N but int3's: Unicorn raises vector N; the CPU #GP (gate DPL 0) */
	INSN_ICEBP, /* Unicorn stops as for a debugger; the CPU raises #DB after it */
	INSN_RDPMC, /* Unicorn raises #UD; the CPU #GP (CR4.PCE clear) */
};

/* The length of the instruction at code (avail bytes readable), or 0 when it does not fit or
 * is not understood. */
size_t insn_length(const uint8_t *code, size_t avail);
/* What the instruction of len bytes at code is. */
enum insn_kind insn_kind(const uint8_t *code, size_t len);
/* For an INSN_PORT instruction: the bytes it moves per access (1, 2 or 4), and its port when
 * the instruction names it (in and out with an 8-bit immediate), else -1 (the port is dx). */
unsigned insn_port_size(const uint8_t *code, size_t len, int *port);

#endif
