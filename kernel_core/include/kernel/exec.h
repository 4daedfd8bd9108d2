/* Replacing a process image with an ELF program. */
#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H

#include <kernel/proc.h>

#define EXEC_ARG_MAX (256u * 1024u) /* bytes of argument and environment strings */
#define EXEC_ARGC_MAX 4096u

/*
 * Loads image (len bytes) into a fresh memory with the given NULL-terminated argv and envp
 * (kernel strings) and, only when everything succeeded, replaces p's memory and registers.
 * Returns 0, -ENOEXEC with *elf_err set for a rejected ELF, -E2BIG or -ENOMEM.
 */
int exec_image(struct proc *p, const char *path, const void *image, size_t len,
	       const char *const *argv, const char *const *envp, int *elf_err);

#endif
