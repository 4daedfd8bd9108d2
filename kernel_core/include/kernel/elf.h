/* ELF64 executables: validation of every header field before anything is mapped, and loading. */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <kernel/types.h>

struct mm;

#define ELF_MAX_SEGMENTS 16

/* Why an image was rejected. Each has its own message (elf_strerror). */
enum elf_error {
	ELF_OK = 0,
	ELF_ERR_TRUNCATED,         /* shorter than the ELF header */
	ELF_ERR_MAGIC,             /* not \x7fELF */
	ELF_ERR_CLASS,             /* not ELFCLASS64 */
	ELF_ERR_DATA,              /* not little-endian */
	ELF_ERR_IDENT_VERSION,     /* e_ident[EI_VERSION] != 1 */
	ELF_ERR_OSABI,             /* neither System V nor GNU/Linux */
	ELF_ERR_MACHINE,           /* not x86_64 */
	ELF_ERR_TYPE,              /* neither ET_EXEC nor ET_DYN */
	ELF_ERR_VERSION,           /* e_version != 1 */
	ELF_ERR_EHSIZE,            /* e_ehsize is not the ELF64 header size */
	ELF_ERR_PHENTSIZE,         /* e_phentsize is not the ELF64 program header size */
	ELF_ERR_PHNUM,             /* no program headers, or too many */
	ELF_ERR_PHDRS_OUTSIDE,     /* program header table extends past the file */
	ELF_ERR_PHDRS_ALIGN,       /* program header table misaligned */
	ELF_ERR_INTERP,            /* needs a dynamic loader (PT_INTERP) */
	ELF_ERR_NO_LOAD,           /* no PT_LOAD segment */
	ELF_ERR_TOO_MANY_LOADS,    /* more PT_LOAD segments than the loader handles */
	ELF_ERR_SEG_OUTSIDE_FILE,  /* segment's file bytes extend past the file */
	ELF_ERR_SEG_FILESZ,        /* p_filesz > p_memsz */
	ELF_ERR_SEG_ALIGN,         /* p_align not a power of two, or vaddr/offset disagree */
	ELF_ERR_SEG_USER_RANGE,    /* segment outside the user address range */
	ELF_ERR_SEG_OVERLAP,       /* two segments share a page */
	ELF_ERR_SEG_ORDER,         /* PT_LOAD segments not sorted by address */
	ELF_ERR_ENTRY,             /* entry point not inside an executable segment */
	ELF_ERR_SEG_WX,            /* a segment both writable and executable */
	ELF_ERR_COUNT
};

struct elf_segment {
	uint64_t vaddr, memsz, offset, filesz;
	unsigned prot; /* PROT_* */
};

/* Where a static PIE (ET_DYN) is loaded: Linux's ELF_ET_DYN_BASE without randomization. */
#define ELF_DYN_BASE 0x555555554000ull

struct elf_info {
	uint64_t entry;
	uint64_t bias; /* added to every address of a static PIE, 0 for ET_EXEC */
	uint64_t phdr_vaddr; /* where the program headers are in memory (AT_PHDR), 0 if not */
	uint16_t phnum, phentsize;
	uint64_t end; /* highest segment end: the heap starts at the next page */
	int nsegments;
	struct elf_segment segments[ELF_MAX_SEGMENTS];
};

/* Where an image is read from: kernel memory, or a user's memory (exec from a buffer). */
struct elf_source {
	const void *mem; /* the image in kernel memory, or NULL for user memory: */
	struct mm *mm;
	uint64_t uva;
	size_t len;
	uint64_t cache_id; /* nonzero: a stable identity of the image, to share read-only segments */
};

/* Copies n bytes at offset off of the image. 0 or -EFAULT. */
int elf_read(const struct elf_source *src, uint64_t off, void *buf, size_t n);
/* Validates the image and describes it: ELF_OK, an enum elf_error, or -EFAULT. */
int elf_parse_source(const struct elf_source *src, struct elf_info *info);
/* Validates image (len bytes of kernel memory) and describes it: ELF_OK or an elf_error. */
int elf_parse(const void *image, size_t len, struct elf_info *info);
/* A one-line description of an elf_error. */
const char *elf_strerror(int err);
/* A short stable name of an elf_error, such as "ELF_ERR_MAGIC". */
const char *elf_error_name(int err);
/* Maps the parsed segments into mm with their permissions and zero-filled bss. 0 or -errno. */
int elf_load_source(struct mm *mm, const struct elf_source *src, const struct elf_info *info);
/* elf_load_source for an image in kernel memory. */
int elf_load(struct mm *mm, const void *image, const struct elf_info *info);

#endif
