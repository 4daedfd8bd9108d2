/* Replacing a process image with an ELF program. */
#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H

#include <kernel/elf.h>
#include <kernel/files.h>
#include <kernel/proc.h>

#define EXEC_ARG_MAX (256u * 1024u) /* bytes of argument and environment strings */
#define EXEC_ARGC_MAX 4096u
#define EXEC_PATH_MAX 4096u
#define EXEC_IMAGE_MAX (64u << 20) /* largest ELF image exec_image takes from user memory */

/* The argument and environment vectors: kernel strings, or user arrays in the caller's memory. */
struct exec_args {
	const char *const *kargv, *const *kenvp; /* NULL-terminated kernel vectors, and then: */
	struct mm *mm;                           /* when set, the user vectors below */
	uint64_t uargv, uenvp;                   /* user addresses (0: empty vector) */
	size_t uargv_skip;                       /* user argv entries left out (a script's argv[0]) */
	const char *exe;                         /* the file's absolute path, for /proc/PID/exe */
	struct inode *exe_ino;                   /* the file, when it has a node */
	const char *name;                        /* the path execve named, when not path: the
						    process's name is its base name (a script's,
						    not its interpreter's, as on Linux) */
};

/*
 * Loads the ELF image from src into a fresh memory with args and, only when everything
 * succeeded, replaces the memory and registers of t's process, whose other threads end. Returns 0, -ENOEXEC with *elf_err set for a
 * rejected ELF, -EFAULT, -E2BIG or -ENOMEM; on failure nothing is changed.
 */
int exec_source(struct thread *t, const char *path, const struct elf_source *src,
		const struct exec_args *args, int *elf_err);
/* exec_source for an image in kernel memory and kernel argument vectors. */
int exec_image(struct thread *t, const char *path, const void *image, size_t len,
	       const char *const *argv, const char *const *envp, int *elf_err);
/* execve of the file at path (resolved from dirfd), the argument vectors in t's memory. */
int exec_path(struct thread *t, int dirfd, const char *path, uint64_t uargv, uint64_t uenvp,
	      bool follow);

#endif
