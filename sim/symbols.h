/* Where syscalls are made from, for --trace=stack (symbols.c): the symbols that name code. */
#ifndef SIM_SYMBOLS_H
#define SIM_SYMBOLS_H

#include <kernel/core.h>

void symbols_exec(struct thread *p, const char *path, const struct core_image *src);
void symbols_fork(struct thread *parent, struct thread *child);
/* Notes the syscall p makes from rip (the syscall instruction) with stack pointer sp and frame
 * pointer fp. */
void symbols_note_syscall(struct thread *p, uint64_t rip, uint64_t sp, uint64_t fp);
/* kernel_config.trace_stack: the lines for p's syscall traced last. */
size_t symbols_trace_stack(struct thread *p, char *buf, size_t size);
void symbols_fini(void);

#endif
