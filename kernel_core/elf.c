/* ELF64 loader: parse and validate everything first, then map. */
#include <kernel/elf.h>
#include <kernel/imgcache.h>
#include <kernel/klib.h>
#include <kernel/mm.h>
#include <uapi/linux.h>

#define EI_NIDENT 16
#define PT_LOAD 1
#define PT_INTERP 3
#define PT_PHDR 6
#define PF_X 1
#define PF_W 2
#define PF_R 4
#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62
#define MAX_PHNUM 64

struct elf64_ehdr {
	unsigned char e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

static const struct {
	const char *name, *text;
} errors[ELF_ERR_COUNT] = {
	[ELF_OK] = {"ELF_OK", "valid"},
	[ELF_ERR_TRUNCATED] = {"ELF_ERR_TRUNCATED", "file is shorter than an ELF header"},
	[ELF_ERR_MAGIC] = {"ELF_ERR_MAGIC", "not an ELF file (bad magic)"},
	[ELF_ERR_CLASS] = {"ELF_ERR_CLASS", "not a 64-bit ELF file"},
	[ELF_ERR_DATA] = {"ELF_ERR_DATA", "not a little-endian ELF file"},
	[ELF_ERR_IDENT_VERSION] = {"ELF_ERR_IDENT_VERSION", "unknown ELF identification version"},
	[ELF_ERR_OSABI] = {"ELF_ERR_OSABI", "unsupported OS ABI"},
	[ELF_ERR_MACHINE] = {"ELF_ERR_MACHINE", "wrong architecture (not x86_64)"},
	[ELF_ERR_TYPE] = {"ELF_ERR_TYPE", "not an executable (an object file or a core file)"},
	[ELF_ERR_VERSION] = {"ELF_ERR_VERSION", "unknown ELF version"},
	[ELF_ERR_EHSIZE] = {"ELF_ERR_EHSIZE", "bad ELF header size"},
	[ELF_ERR_PHENTSIZE] = {"ELF_ERR_PHENTSIZE", "bad program header entry size"},
	[ELF_ERR_PHNUM] = {"ELF_ERR_PHNUM", "no program headers, or too many"},
	[ELF_ERR_PHDRS_OUTSIDE] = {"ELF_ERR_PHDRS_OUTSIDE", "program headers extend past the end of the file"},
	[ELF_ERR_PHDRS_ALIGN] = {"ELF_ERR_PHDRS_ALIGN", "program headers are misaligned"},
	[ELF_ERR_INTERP] = {"ELF_ERR_INTERP", "a dynamically linked executable: it needs an interpreter (a dynamic loader), and only static executables run here"},
	[ELF_ERR_NO_LOAD] = {"ELF_ERR_NO_LOAD", "no loadable segment"},
	[ELF_ERR_TOO_MANY_LOADS] = {"ELF_ERR_TOO_MANY_LOADS", "too many loadable segments"},
	[ELF_ERR_SEG_OUTSIDE_FILE] = {"ELF_ERR_SEG_OUTSIDE_FILE", "a segment extends past the end of the file"},
	[ELF_ERR_SEG_FILESZ] = {"ELF_ERR_SEG_FILESZ", "a segment's file size exceeds its memory size"},
	[ELF_ERR_SEG_ALIGN] = {"ELF_ERR_SEG_ALIGN", "a segment is misaligned"},
	[ELF_ERR_SEG_USER_RANGE] = {"ELF_ERR_SEG_USER_RANGE", "a segment lies outside the user address range"},
	[ELF_ERR_SEG_OVERLAP] = {"ELF_ERR_SEG_OVERLAP", "two segments overlap"},
	[ELF_ERR_SEG_ORDER] = {"ELF_ERR_SEG_ORDER", "loadable segments are not in address order"},
	[ELF_ERR_ENTRY] = {"ELF_ERR_ENTRY", "entry point is not in an executable segment"},
	[ELF_ERR_SEG_WX] = {"ELF_ERR_SEG_WX", "a segment is both writable and executable"},
};

const char *elf_strerror(int err)
{
	return err >= 0 && err < ELF_ERR_COUNT ? errors[err].text : "unknown ELF error";
}

const char *elf_error_name(int err)
{
	return err >= 0 && err < ELF_ERR_COUNT ? errors[err].name : "ELF_ERR_UNKNOWN";
}

static int check_ident(const struct elf64_ehdr *eh)
{
	const unsigned char *id = eh->e_ident;
	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return ELF_ERR_MAGIC;
	if (id[4] != 2)
		return ELF_ERR_CLASS;
	if (id[5] != 1)
		return ELF_ERR_DATA;
	if (id[6] != 1)
		return ELF_ERR_IDENT_VERSION;
	if (id[7] != 0 && id[7] != 3)
		return ELF_ERR_OSABI;
	if (eh->e_machine != EM_X86_64)
		return ELF_ERR_MACHINE;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return ELF_ERR_TYPE;
	if (eh->e_version != 1)
		return ELF_ERR_VERSION;
	if (eh->e_ehsize != sizeof(struct elf64_ehdr))
		return ELF_ERR_EHSIZE;
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return ELF_ERR_PHENTSIZE;
	if (eh->e_phnum == 0 || eh->e_phnum > MAX_PHNUM)
		return ELF_ERR_PHNUM;
	return ELF_OK;
}

static unsigned prot_of(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

static int check_segment(const struct elf64_phdr *ph, uint64_t bias, size_t len)
{
	if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
		return ELF_ERR_SEG_OUTSIDE_FILE;
	if (ph->p_filesz > ph->p_memsz)
		return ELF_ERR_SEG_FILESZ;
	if (ph->p_align & (ph->p_align - 1))
		return ELF_ERR_SEG_ALIGN;
	if ((ph->p_vaddr & PAGE_MASK) != (ph->p_offset & PAGE_MASK))
		return ELF_ERR_SEG_ALIGN;
	if (ph->p_align > 1 && (ph->p_vaddr - ph->p_offset) % ph->p_align)
		return ELF_ERR_SEG_ALIGN;
	uint64_t va = ph->p_vaddr + bias;
	if (ph->p_memsz == 0 || va < USER_MIN || va >= USER_END || ph->p_memsz > USER_END - va ||
	    PAGE_UP(va + ph->p_memsz) > MMAP_TOP)
		return ELF_ERR_SEG_USER_RANGE;
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return ELF_ERR_SEG_WX;
	return ELF_OK;
}

int elf_read(const struct elf_source *src, uint64_t off, void *buf, size_t n)
{
	if (off > src->len || n > src->len - off)
		return -EFAULT;
	if (src->mem) {
		kmemcpy(buf, (const char *)src->mem + off, n);
		return 0;
	}
	return copy_in(src->mm, buf, src->uva + off, n);
}

int elf_parse_source(const struct elf_source *src, struct elf_info *info)
{
	struct elf64_ehdr ehdr;
	const struct elf64_ehdr *eh = &ehdr;
	unsigned char magic[4];
	size_t len = src->len;
	kmemset(info, 0, sizeof(*info));
	if (len >= 4) {
		if (elf_read(src, 0, magic, 4))
			return -EFAULT;
		if (magic[0] != 0x7f || magic[1] != 'E' || magic[2] != 'L' || magic[3] != 'F')
			return ELF_ERR_MAGIC;
	}
	if (len < sizeof(ehdr))
		return ELF_ERR_TRUNCATED;
	if (elf_read(src, 0, &ehdr, sizeof(ehdr)))
		return -EFAULT;
	int err = check_ident(eh);
	if (err)
		return err;
	uint64_t ph_bytes = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
	if (eh->e_phoff > len || ph_bytes > len - eh->e_phoff)
		return ELF_ERR_PHDRS_OUTSIDE;
	if (eh->e_phoff % 8)
		return ELF_ERR_PHDRS_ALIGN;
	struct elf64_phdr ph[MAX_PHNUM];
	if (elf_read(src, eh->e_phoff, ph, ph_bytes))
		return -EFAULT;
	uint64_t phdr_vaddr = 0, bias = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_INTERP)
			return ELF_ERR_INTERP;
	/* A static PIE (ET_DYN without an interpreter) loads at Linux's base for one, its
	 * segments moved as a block; its own start code applies its relocations. */
	if (eh->e_type == ET_DYN) {
		for (unsigned i = 0; i < eh->e_phnum; i++)
			if (ph[i].p_type == PT_LOAD) {
				bias = ELF_DYN_BASE - PAGE_DOWN(ph[i].p_vaddr);
				break;
			}
	}
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_PHDR)
			phdr_vaddr = ph[i].p_vaddr + bias;
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (info->nsegments == ELF_MAX_SEGMENTS)
			return ELF_ERR_TOO_MANY_LOADS;
		if ((err = check_segment(&ph[i], bias, len)))
			return err;
		uint64_t va = ph[i].p_vaddr + bias;
		struct elf_segment *s = &info->segments[info->nsegments];
		if (info->nsegments) {
			const struct elf_segment *prev = s - 1;
			if (va < prev->vaddr)
				return ELF_ERR_SEG_ORDER;
			if (PAGE_DOWN(va) < PAGE_UP(prev->vaddr + prev->memsz))
				return ELF_ERR_SEG_OVERLAP;
		}
		*s = (struct elf_segment){va, ph[i].p_memsz, ph[i].p_offset, ph[i].p_filesz,
					  prot_of(ph[i].p_flags)};
		info->nsegments++;
		if (!phdr_vaddr && eh->e_phoff >= ph[i].p_offset &&
		    eh->e_phoff + ph_bytes <= ph[i].p_offset + ph[i].p_filesz)
			phdr_vaddr = va + (eh->e_phoff - ph[i].p_offset);
	}
	if (!info->nsegments)
		return ELF_ERR_NO_LOAD;
	bool entry_ok = false;
	uint64_t entry = eh->e_entry + bias;
	for (int i = 0; i < info->nsegments; i++) {
		const struct elf_segment *s = &info->segments[i];
		if ((s->prot & PROT_EXEC) && entry >= s->vaddr && entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	if (!entry_ok)
		return ELF_ERR_ENTRY;
	const struct elf_segment *last = &info->segments[info->nsegments - 1];
	info->entry = entry;
	info->bias = bias;
	info->phdr_vaddr = phdr_vaddr;
	info->phnum = eh->e_phnum;
	info->phentsize = eh->e_phentsize;
	info->end = last->vaddr + last->memsz;
	return ELF_OK;
}

int elf_parse(const void *image, size_t len, struct elf_info *info)
{
	const struct elf_source src = {.mem = image, .len = len};
	return elf_parse_source(&src, info);
}

/* Copies a segment's file bytes into mm, through a bounce buffer when they are user memory. */
static int copy_segment(struct mm *mm, const struct elf_source *src, const struct elf_segment *s)
{
	if (src->mem)
		return mm_poke(mm, s->vaddr, (const char *)src->mem + s->offset, s->filesz);
	char buf[512];
	for (uint64_t done = 0; done < s->filesz; done += sizeof(buf)) {
		size_t n = (size_t)MIN(sizeof(buf), s->filesz - done);
		int err = elf_read(src, s->offset + done, buf, n);
		if (!err)
			err = mm_poke(mm, s->vaddr + done, buf, n);
		if (err)
			return err;
	}
	return 0;
}

int elf_load_source(struct mm *mm, const struct elf_source *src, const struct elf_info *info)
{
	for (int i = 0; i < info->nsegments; i++) {
		const struct elf_segment *s = &info->segments[i];
		uint64_t start = PAGE_DOWN(s->vaddr);
		uint64_t len = PAGE_UP(s->vaddr + s->memsz) - start;
		int err = mm_map(mm, start, len, s->prot);
		/* Only readable, never writable segments are shared (PROT_NONE ones are not worth it). */
		bool shareable = !(s->prot & PROT_WRITE) && (s->prot & PROT_READ) && src->cache_id;
		unsigned flags = VM_USER | (s->prot & PROT_EXEC ? VM_EXEC : 0);
		int cached = err || !shareable ? 0 : imgcache_map(mm, src->cache_id, i, start, len, flags);
		if (!err && cached < 0)
			err = cached;
		if (!err && !cached) {
			err = copy_segment(mm, src, s);
			if (!err && shareable)
				imgcache_keep(mm, src->cache_id, i, start, len);
		}
		if (err)
			return err;
	}
	return 0;
}

int elf_load(struct mm *mm, const void *image, const struct elf_info *info)
{
	const struct elf_source src = {.mem = image, .len = SIZE_MAX};
	return elf_load_source(mm, &src, info);
}
