/*
 * Where each syscall was made from, for --trace=stack: lines after the call's line, as strace -k
 * prints them, " > /bin/hello(write+0x8) [0x401008]", innermost first: the function holding the
 * syscall instruction, the caller found near the stack pointer (a function without a frame of
 * its own leaves no other trace of it), then the frame-pointer chain. The function symbols come
 * from each program's ELF file, read with libelf from the image the kernel exec'd (the boot image
 * stays in memory; a --root file is read once per file identity). Programs exec'd from a buffer
 * in their caller's memory are not named.
 */
#include "sim.h"
#include "symbols.h"

#include <kernel/core.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALLER_SCAN_WORDS 16
#define FRAMES_MAX 16

struct symbol {
	uint64_t addr, size;
	char *name;
};

struct program {
	char *path;      /* the path it was first exec'd by */
	uint64_t id;     /* the kernel's identity of the file, or 0: */
	const void *mem; /* the image's address and length identify it */
	size_t len;
	struct symbol *syms; /* functions, sorted by address */
	size_t nsyms;
	struct program *next;
};

static struct {
	struct program *programs;
	struct {
		int pid;
		struct program *prog;
	} owner[CORE_THREADS_MAX];
	struct { /* where the last syscall was made */
		int pid;
		uint64_t rip, sp, fp;
	} note;
} syms;

static int by_address(const void *a, const void *b)
{
	const struct symbol *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void add_symbol(struct program *prog, size_t *cap, uint64_t addr, uint64_t size,
		       const char *name)
{
	if (prog->nsyms == *cap) {
		size_t grown_cap = *cap ? 2 * *cap : 64;
		struct symbol *grown = realloc(prog->syms, grown_cap * sizeof(*grown));
		if (!grown)
			return;
		prog->syms = grown;
		*cap = grown_cap;
	}
	char *copy = strdup(name);
	if (copy)
		prog->syms[prog->nsyms++] = (struct symbol){addr, size, copy};
}

/* Reads the function symbols of the ELF image [image, image+len). */
static void read_symbols(struct program *prog, const void *image, size_t len)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return;
	char *copy = malloc(len ? len : 1); /* libelf wants writable memory */
	if (!copy)
		return;
	memcpy(copy, image, len);
	Elf *e = elf_memory(copy, len);
	size_t cap = 0;
	for (Elf_Scn *scn = NULL; e && (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			if (!gelf_getsym(data, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    s.st_shndx == SHN_UNDEF || !s.st_value)
				continue;
			const char *name = elf_strptr(e, sh.sh_link, s.st_name);
			if (name && *name)
				add_symbol(prog, &cap, s.st_value, s.st_size, name);
		}
	}
	if (e)
		elf_end(e);
	free(copy);
	if (prog->nsyms)
		qsort(prog->syms, prog->nsyms, sizeof(*prog->syms), by_address);
}

/* The program of src (exec'd by path), read the first time it is seen; NULL when it cannot
 * be read. */
static struct program *program_of(const char *path, const struct core_image *src)
{
	if (!src->mem)
		return NULL;
	for (struct program *prog = syms.programs; prog; prog = prog->next)
		if (src->id ? prog->id == src->id
				  : !prog->id && prog->mem == src->mem && prog->len == src->len)
			return prog;
	struct program *prog = calloc(1, sizeof(*prog));
	if (!prog)
		return NULL;
	prog->path = strdup(path);
	prog->id = src->id;
	prog->mem = src->mem;
	prog->len = src->len;
	read_symbols(prog, src->mem, src->len);
	prog->next = syms.programs;
	syms.programs = prog;
	return prog;
}

void symbols_exec(struct thread *p, const char *path, const struct core_image *src)
{
	unsigned slot = (unsigned)core_tid(p) % CORE_THREADS_MAX;
	syms.owner[slot].pid = core_tid(p);
	syms.owner[slot].prog = program_of(path, src);
}

void symbols_fork(struct thread *parent, struct thread *child)
{
	unsigned from = (unsigned)core_tid(parent) % CORE_THREADS_MAX, to = (unsigned)core_tid(child) % CORE_THREADS_MAX;
	syms.owner[to].pid = core_tid(child);
	syms.owner[to].prog = syms.owner[from].pid == core_tid(parent) ? syms.owner[from].prog : NULL;
}

static const struct program *program_run_by(const struct thread *p)
{
	unsigned slot = (unsigned)core_tid(p) % CORE_THREADS_MAX;
	return syms.owner[slot].pid == core_tid(p) ? syms.owner[slot].prog : NULL;
}

/* The function containing addr: the last symbol at or below it, within its size (a symbol
 * without one reaches to the next). */
static const struct symbol *lookup(const struct program *prog, uint64_t addr)
{
	if (!prog || !prog->nsyms || addr < prog->syms[0].addr)
		return NULL;
	size_t lo = 0, hi = prog->nsyms; /* the answer is in [lo, hi) */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (prog->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	while (lo && prog->syms[lo - 1].addr == prog->syms[lo].addr)
		lo--; /* aliases: the first name, alphabetically */
	const struct symbol *s = &prog->syms[lo];
	return !s->size || addr < s->addr + s->size ? s : NULL;
}

/* A return address on p's stack at sp or a little above that follows a call of f; 0 if none. */
static uint64_t return_into_caller(struct thread *p, const struct symbol *f, uint64_t sp)
{
	uint64_t words[CALLER_SCAN_WORDS];
	size_t n = sim_peek(core_mm(p), sp, words, sizeof(words)) / 8;
	for (size_t i = 0; i < n; i++) {
		uint8_t call[5]; /* e8 rel32 */
		int32_t rel;
		if (words[i] < 5 || sim_peek(core_mm(p), words[i] - 5, call, 5) != 5 || call[0] != 0xe8)
			continue;
		memcpy(&rel, call + 1, 4);
		if (words[i] + (uint64_t)(int64_t)rel == f->addr)
			return words[i];
	}
	return 0;
}

/* One line for the code at addr, a return address unless it is the first frame's:
 * " > /bin/hello(write+0x8) [0x401008]". */
static size_t put_frame(const struct program *prog, uint64_t addr, bool first, char *buf,
			size_t size)
{
	/* A call is before its return address, which may be past the caller's end. */
	const struct symbol *f = lookup(prog, first ? addr : addr - 1);
	const char *path = prog && prog->path ? prog->path : "?";
	int n = f ? snprintf(buf, size, " > %s(%s+0x%llx) [0x%llx]\n", path, f->name,
			     (unsigned long long)(addr - f->addr), (unsigned long long)addr)
		  : snprintf(buf, size, " > %s() [0x%llx]\n", path, (unsigned long long)addr);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* The return addresses of the frame-pointer chain from fp, at most max of them: while the
 * frames go up the stack from sp and each returns into a function of prog (code built without
 * frame pointers uses the register for anything else). */
static size_t frame_chain(struct thread *p, const struct program *prog, uint64_t sp, uint64_t fp,
			  uint64_t *out, size_t max)
{
	size_t n = 0;
	while (n < max && fp >= sp) {
		uint64_t frame[2]; /* the caller's frame pointer, the return address */
		if (sim_peek(core_mm(p), fp, frame, sizeof(frame)) != sizeof(frame) || !frame[1] ||
		    !lookup(prog, frame[1] - 1))
			break;
		out[n++] = frame[1];
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
	return n;
}

static size_t trace_stack(struct thread *p, uint64_t rip, uint64_t sp, uint64_t fp, char *buf,
			  size_t size)
{
	const struct program *prog = program_run_by(p);
	const struct symbol *f = lookup(prog, rip);
	uint64_t frames[FRAMES_MAX], chain[FRAMES_MAX];
	size_t n = 0;
	frames[n++] = rip;
	uint64_t caller = f ? return_into_caller(p, f, sp) : 0;
	if (caller)
		frames[n++] = caller;
	size_t links = frame_chain(p, prog, sp, fp, chain, FRAMES_MAX);
	/* A function with a frame of its own: the chain starts with the caller found above. */
	for (size_t i = links && chain[0] == caller ? 1 : 0; i < links && n < FRAMES_MAX; i++)
		frames[n++] = chain[i];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t w = put_frame(prog, frames[i], i == 0, buf + len, size - len);
		if (!w)
			break;
		len += w;
	}
	return len;
}

void symbols_note_syscall(struct thread *p, uint64_t rip, uint64_t sp, uint64_t fp)
{
	syms.note.pid = core_tid(p);
	syms.note.rip = rip;
	syms.note.sp = sp;
	syms.note.fp = fp;
}

size_t symbols_trace_stack(struct thread *p, char *buf, size_t size)
{
	if (syms.note.pid == core_tid(p))
		return trace_stack(p, syms.note.rip, syms.note.sp, syms.note.fp, buf, size);
	/* A call finished on another's behalf: it stopped right after its instruction. */
	return trace_stack(p, core_uctx(p)->regs.rip - 2, core_uctx(p)->regs.rsp, core_uctx(p)->regs.rbp, buf, size);
}

void symbols_fini(void)
{
	while (syms.programs) {
		struct program *prog = syms.programs;
		syms.programs = prog->next;
		for (size_t i = 0; i < prog->nsyms; i++)
			free(prog->syms[i].name);
		free(prog->syms);
		free(prog->path);
		free(prog);
	}
	memset(&syms, 0, sizeof(syms));
}
