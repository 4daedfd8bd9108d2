/* The ELF loader: real guest programs against libelf, malformed variants, loading into memory. */
#include "unit.h"

#include <gelf.h>
#include <kernel/elf.h>
#include <kernel/frame.h>
#include <kernel/mm.h>
#include <stdlib.h>
#include <string.h>

#define PG 4096ull

static const char *const guests[] = {GUEST_HELLO, GUEST_ARGS, GUEST_MEMORY};

static unsigned char *image, *copy;
static size_t image_len;

static void setup(void)
{
	image = unit_load_guest(GUEST_HELLO, &image_len);
	copy = NULL;
}

static void teardown(void)
{
	free(image);
	free(copy);
}

/* What libelf says about an image. */
struct reference {
	GElf_Ehdr eh;
	int nloads;
	GElf_Phdr loads[64];
	uint64_t phdr_vaddr; /* where a loaded segment holds the program headers */
	size_t needed;       /* bytes of file the headers and segments need */
};

static void describe(const unsigned char *img, size_t len, struct reference *ref)
{
	ck_assert_uint_ne(elf_version(EV_CURRENT), EV_NONE);
	Elf *e = elf_memory((char *)img, len);
	ck_assert_msg(e != NULL, "libelf: %s", elf_errmsg(-1));
	ck_assert_ptr_nonnull(gelf_getehdr(e, &ref->eh));
	ref->nloads = 0;
	ref->phdr_vaddr = 0;
	ref->needed = ref->eh.e_phoff + (size_t)ref->eh.e_phnum * ref->eh.e_phentsize;
	for (int i = 0; i < ref->eh.e_phnum; i++) {
		GElf_Phdr ph;
		ck_assert_ptr_nonnull(gelf_getphdr(e, i, &ph));
		if (ph.p_type != PT_LOAD)
			continue;
		ck_assert_int_lt(ref->nloads, 64);
		ref->loads[ref->nloads++] = ph;
		if (ph.p_offset + ph.p_filesz > ref->needed)
			ref->needed = ph.p_offset + ph.p_filesz;
		if (!ref->phdr_vaddr && ref->eh.e_phoff >= ph.p_offset &&
		    ref->eh.e_phoff + ref->eh.e_phnum * 56ull <= ph.p_offset + ph.p_filesz)
			ref->phdr_vaddr = ph.p_vaddr + ref->eh.e_phoff - ph.p_offset;
	}
	elf_end(e);
}

static unsigned prot_of(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

START_TEST(test_guest_matches_libelf)
{
	size_t len;
	unsigned char *img = unit_load_guest(guests[_i], &len);
	struct reference ref;
	describe(img, len, &ref);
	struct elf_info info;
	int r = elf_parse(img, len, &info);
	ck_assert_msg(r == ELF_OK, "%s: %s", guests[_i], elf_error_name(r));
	ck_assert_uint_eq(info.entry, ref.eh.e_entry);
	ck_assert_uint_eq(info.phnum, ref.eh.e_phnum);
	ck_assert_uint_eq(info.phentsize, 56);
	ck_assert_uint_eq(info.phdr_vaddr, ref.phdr_vaddr);
	ck_assert_uint_ne(info.phdr_vaddr, 0);
	ck_assert_int_eq(info.nsegments, ref.nloads);
	ck_assert_int_ge(info.nsegments, 2);
	for (int i = 0; i < ref.nloads; i++) {
		const struct elf_segment *s = &info.segments[i];
		const GElf_Phdr *ph = &ref.loads[i];
		ck_assert_uint_eq(s->vaddr, ph->p_vaddr);
		ck_assert_uint_eq(s->memsz, ph->p_memsz);
		ck_assert_uint_eq(s->offset, ph->p_offset);
		ck_assert_uint_eq(s->filesz, ph->p_filesz);
		ck_assert_uint_eq(s->prot, prot_of(ph->p_flags));
	}
	const GElf_Phdr *last = &ref.loads[ref.nloads - 1];
	ck_assert_uint_eq(info.end, last->p_vaddr + last->p_memsz);
	free(img);
}
END_TEST

START_TEST(test_gnu_osabi_accepted)
{
	image[EI_OSABI] = ELFOSABI_GNU;
	struct elf_info info;
	ck_assert_int_eq(elf_parse(image, image_len, &info), ELF_OK);
}
END_TEST

/* An ET_DYN file without an interpreter is a static PIE: it loads at ELF_DYN_BASE, every
 * address moved by the same amount. */
START_TEST(test_static_pie_moved_as_a_block)
{
	struct elf_info plain, pie;
	ck_assert_int_eq(elf_parse(image, image_len, &plain), ELF_OK);
	((Elf64_Ehdr *)image)->e_type = ET_DYN;
	ck_assert_int_eq(elf_parse(image, image_len, &pie), ELF_OK);
	uint64_t bias = ELF_DYN_BASE - (plain.segments[0].vaddr & ~0xfffull);
	ck_assert_uint_eq(pie.bias, bias);
	ck_assert_uint_eq(pie.entry, plain.entry + bias);
	ck_assert_uint_eq(pie.phdr_vaddr, plain.phdr_vaddr + bias);
	ck_assert_int_eq(pie.nsegments, plain.nsegments);
	for (int i = 0; i < pie.nsegments; i++)
		ck_assert_uint_eq(pie.segments[i].vaddr, plain.segments[i].vaddr + bias);
	ck_assert_uint_eq(pie.end, plain.end + bias);
}
END_TEST

START_TEST(test_truncations_never_read_past_the_end)
{
	struct reference ref;
	describe(image, image_len, &ref);
	for (size_t len = 0; len <= image_len; len += len < 1200 ? 1 : 61) {
		free(copy);
		copy = malloc(len ? len : 1);
		memcpy(copy, image, len);
		struct elf_info info;
		int r = elf_parse(copy, len, &info);
		if (len >= ref.needed)
			ck_assert_msg(r == ELF_OK, "length %zu: %s", len, elf_error_name(r));
		else
			ck_assert_msg(r != ELF_OK, "a %zu-byte prefix of %zu parsed", len, ref.needed);
		if (len < 64)
			ck_assert_int_eq(r, ELF_ERR_TRUNCATED);
	}
}
END_TEST

/* Malformed variants of a valid program: one field changed each, one specific error each. */

static Elf64_Ehdr *eh(void)
{
	return (Elf64_Ehdr *)copy;
}

static Elf64_Phdr *ph(int i)
{
	return (Elf64_Phdr *)(copy + eh()->e_phoff) + i;
}

/* Index of the n-th PT_LOAD header, or of the first executable one (n = -1). */
static int load(int n)
{
	for (int i = 0; i < eh()->e_phnum; i++)
		if (ph(i)->p_type == PT_LOAD && (n == -1 ? (ph(i)->p_flags & PF_X) != 0 : n-- == 0))
			return i;
	ck_abort_msg("the guest has no such PT_LOAD");
	return 0;
}

static void m_short_10(size_t *len) { *len = 10; }
static void m_short_63(size_t *len) { *len = 63; }
static void m_short_3(size_t *len) { *len = 3; }
static void m_magic(size_t *len) { (void)len; copy[1] = 'e'; }
static void m_magic_mz(size_t *len) { *len = 8; memcpy(copy, "MZ\x90\0\3\0\0\0", 8); }
static void m_class32(size_t *len) { (void)len; copy[EI_CLASS] = ELFCLASS32; }
static void m_class_none(size_t *len) { (void)len; copy[EI_CLASS] = ELFCLASSNONE; }
static void m_big_endian(size_t *len) { (void)len; copy[EI_DATA] = ELFDATA2MSB; }
static void m_ident_version(size_t *len) { (void)len; copy[EI_VERSION] = 0; }
static void m_osabi(size_t *len) { (void)len; copy[EI_OSABI] = ELFOSABI_FREEBSD; }
static void m_i386(size_t *len) { (void)len; eh()->e_machine = EM_386; }
static void m_aarch64(size_t *len) { (void)len; eh()->e_machine = EM_AARCH64; }
static void m_rel(size_t *len) { (void)len; eh()->e_type = ET_REL; }
static void m_version(size_t *len) { (void)len; eh()->e_version = 2; }
static void m_ehsize(size_t *len) { (void)len; eh()->e_ehsize = 52; }
static void m_phentsize(size_t *len) { (void)len; eh()->e_phentsize = 32; }
static void m_phnum_0(size_t *len) { (void)len; eh()->e_phnum = 0; }
static void m_phnum_xnum(size_t *len) { (void)len; eh()->e_phnum = PN_XNUM; }
static void m_phoff_end(size_t *len) { eh()->e_phoff = *len; }
static void m_phoff_tail(size_t *len) { eh()->e_phoff = (*len - 8) & ~7ull; }
static void m_phoff_huge(size_t *len) { (void)len; eh()->e_phoff = ~0ull - 63; }
static void m_phoff_misaligned(size_t *len) { (void)len; eh()->e_phoff += 4; }

static void m_interp(size_t *len)
{
	(void)len;
	for (int i = eh()->e_phnum - 1; i >= 0; i--)
		if (ph(i)->p_type != PT_LOAD) {
			ph(i)->p_type = PT_INTERP;
			return;
		}
	ck_abort_msg("the guest has no header to turn into PT_INTERP");
}

static void m_no_load(size_t *len)
{
	(void)len;
	for (int i = 0; i < eh()->e_phnum; i++)
		if (ph(i)->p_type == PT_LOAD)
			ph(i)->p_type = PT_NOTE;
}

static void m_filesz_past_end(size_t *len)
{
	Elf64_Phdr *p = ph(load(-1));
	p->p_filesz = *len - p->p_offset + 1;
	p->p_memsz = p->p_filesz;
}

static void m_offset_past_end(size_t *len)
{
	Elf64_Phdr *p = ph(load(-1));
	p->p_offset = (*len + PG) & ~(PG - 1);
	p->p_vaddr = (p->p_vaddr & ~(PG - 1));
}

static void m_filesz_over_memsz(size_t *len)
{
	(void)len;
	Elf64_Phdr *p = ph(load(-1));
	p->p_memsz = p->p_filesz - 1;
}

static void m_align_not_power(size_t *len) { (void)len; ph(load(-1))->p_align = 0x1800; }
static void m_vaddr_misaligned(size_t *len) { (void)len; ph(load(-1))->p_vaddr += 0x10; }
static void m_offset_misaligned(size_t *len) { (void)len; ph(load(-1))->p_offset += 8; }
static void m_vaddr_kernel(size_t *len) { (void)len; ph(load(0))->p_vaddr |= KERNEL_HALF; }
static void m_vaddr_zero(size_t *len) { (void)len; ph(load(0))->p_vaddr &= PG - 1; }
static void m_vaddr_page_one(size_t *len) { (void)len; ph(load(0))->p_vaddr = PG + (ph(load(0))->p_vaddr & (PG - 1)); }
static void m_memsz_huge(size_t *len) { (void)len; ph(load(-1))->p_memsz = USER_END; }

static void m_overlap(size_t *len)
{
	(void)len;
	Elf64_Phdr *a = ph(load(0)), *b = ph(load(1));
	b->p_vaddr = ((a->p_vaddr + a->p_memsz - 1) & ~(PG - 1)) + (b->p_offset & (PG - 1));
}

static void m_order(size_t *len)
{
	(void)len;
	int a = load(0), b = load(1);
	Elf64_Phdr t = *ph(a);
	*ph(a) = *ph(b);
	*ph(b) = t;
}

static void m_entry_not_exec(size_t *len) { (void)len; eh()->e_entry = ph(load(0))->p_vaddr; }
static void m_entry_zero(size_t *len) { (void)len; eh()->e_entry = 0; }

static void m_entry_past_text(size_t *len)
{
	(void)len;
	Elf64_Phdr *p = ph(load(-1));
	eh()->e_entry = p->p_vaddr + p->p_memsz;
}

static void m_wx(size_t *len) { (void)len; ph(load(-1))->p_flags |= PF_W; }

/* n PT_LOAD headers of one page each, the last executable with the entry point in it. */
static void loads(int n)
{
	eh()->e_phnum = (Elf64_Half)n;
	for (int i = 0; i < n; i++)
		*ph(i) = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | (i == n - 1 ? PF_X : 0),
				      .p_offset = 0, .p_vaddr = 0x400000 + i * PG, .p_filesz = 0x10,
				      .p_memsz = 0x10, .p_align = PG};
	eh()->e_entry = 0x400000 + (n - 1) * PG;
}

static void m_many_loads_ok(size_t *len) { (void)len; loads(ELF_MAX_SEGMENTS); }
static void m_too_many_loads(size_t *len) { (void)len; loads(ELF_MAX_SEGMENTS + 1); }

static const struct variant {
	const char *what;
	void (*mutate)(size_t *len);
	int want;
} variants[] = {
	{"truncated to 10 bytes", m_short_10, ELF_ERR_TRUNCATED},
	{"truncated to 63 bytes", m_short_63, ELF_ERR_TRUNCATED},
	{"truncated to 3 bytes", m_short_3, ELF_ERR_TRUNCATED},
	{"bad magic", m_magic, ELF_ERR_MAGIC},
	{"a short PE file", m_magic_mz, ELF_ERR_MAGIC},
	{"ELFCLASS32", m_class32, ELF_ERR_CLASS},
	{"ELFCLASSNONE", m_class_none, ELF_ERR_CLASS},
	{"big-endian", m_big_endian, ELF_ERR_DATA},
	{"EI_VERSION 0", m_ident_version, ELF_ERR_IDENT_VERSION},
	{"FreeBSD OSABI", m_osabi, ELF_ERR_OSABI},
	{"EM_386", m_i386, ELF_ERR_MACHINE},
	{"EM_AARCH64", m_aarch64, ELF_ERR_MACHINE},
	{"ET_REL", m_rel, ELF_ERR_TYPE},
	{"e_version 2", m_version, ELF_ERR_VERSION},
	{"e_ehsize 52", m_ehsize, ELF_ERR_EHSIZE},
	{"e_phentsize 32", m_phentsize, ELF_ERR_PHENTSIZE},
	{"e_phnum 0", m_phnum_0, ELF_ERR_PHNUM},
	{"e_phnum PN_XNUM", m_phnum_xnum, ELF_ERR_PHNUM},
	{"e_phoff at the end", m_phoff_end, ELF_ERR_PHDRS_OUTSIDE},
	{"program headers running past the end", m_phoff_tail, ELF_ERR_PHDRS_OUTSIDE},
	{"e_phoff wrapping around", m_phoff_huge, ELF_ERR_PHDRS_OUTSIDE},
	{"e_phoff misaligned", m_phoff_misaligned, ELF_ERR_PHDRS_ALIGN},
	{"PT_INTERP", m_interp, ELF_ERR_INTERP},
	{"no PT_LOAD", m_no_load, ELF_ERR_NO_LOAD},
	{"p_offset + p_filesz past the end", m_filesz_past_end, ELF_ERR_SEG_OUTSIDE_FILE},
	{"p_offset past the end", m_offset_past_end, ELF_ERR_SEG_OUTSIDE_FILE},
	{"p_filesz > p_memsz", m_filesz_over_memsz, ELF_ERR_SEG_FILESZ},
	{"p_align 0x1800", m_align_not_power, ELF_ERR_SEG_ALIGN},
	{"p_vaddr page offset differs from p_offset's", m_vaddr_misaligned, ELF_ERR_SEG_ALIGN},
	{"p_offset page offset differs from p_vaddr's", m_offset_misaligned, ELF_ERR_SEG_ALIGN},
	{"segment in the kernel half", m_vaddr_kernel, ELF_ERR_SEG_USER_RANGE},
	{"segment at address 0", m_vaddr_zero, ELF_ERR_SEG_USER_RANGE},
	{"segment in page 1", m_vaddr_page_one, ELF_ERR_SEG_USER_RANGE},
	{"segment running past the user half", m_memsz_huge, ELF_ERR_SEG_USER_RANGE},
	{"overlapping segments", m_overlap, ELF_ERR_SEG_OVERLAP},
	{"segments out of order", m_order, ELF_ERR_SEG_ORDER},
	{"entry in a non-executable segment", m_entry_not_exec, ELF_ERR_ENTRY},
	{"entry 0", m_entry_zero, ELF_ERR_ENTRY},
	{"entry just past the code", m_entry_past_text, ELF_ERR_ENTRY},
	{"W+X segment", m_wx, ELF_ERR_SEG_WX},
	{"too many PT_LOADs", m_too_many_loads, ELF_ERR_TOO_MANY_LOADS},
	{"as many PT_LOADs as allowed", m_many_loads_ok, ELF_OK},
};

#define NVARIANTS ((int)(sizeof(variants) / sizeof(variants[0])))

START_TEST(test_malformed_variant)
{
	const struct variant *v = &variants[_i];
	size_t len = image_len;
	copy = malloc(image_len);
	memcpy(copy, image, image_len);
	v->mutate(&len);
	ck_assert_uint_le(len, image_len);
	if (len < image_len) { /* exactly sized, so that ASan sees any overread */
		unsigned char *shorter = malloc(len);
		memcpy(shorter, copy, len);
		free(copy);
		copy = shorter;
	}
	struct elf_info info;
	int r = elf_parse(copy, len, &info);
	ck_assert_msg(r == v->want, "%s: got %s, expected %s", v->what, elf_error_name(r),
		      elf_error_name(v->want));
}
END_TEST

START_TEST(test_every_error_has_a_variant)
{
	for (int err = ELF_ERR_TRUNCATED; err < ELF_ERR_COUNT; err++) {
		bool seen = false;
		for (int i = 0; i < NVARIANTS; i++)
			seen |= variants[i].want == err;
		ck_assert_msg(seen, "no malformed variant produces %s", elf_error_name(err));
	}
}
END_TEST

START_TEST(test_error_strings_distinct)
{
	for (int a = 0; a < ELF_ERR_COUNT; a++) {
		ck_assert_ptr_nonnull(elf_strerror(a));
		ck_assert_ptr_nonnull(elf_error_name(a));
		ck_assert_uint_gt(strlen(elf_strerror(a)), 0);
		ck_assert_uint_gt(strlen(elf_error_name(a)), 0);
		ck_assert_msg(!strncmp(elf_error_name(a), "ELF_", 4), "name %s", elf_error_name(a));
		for (int b = 0; b < a; b++) {
			ck_assert_str_ne(elf_strerror(a), elf_strerror(b));
			ck_assert_str_ne(elf_error_name(a), elf_error_name(b));
		}
	}
	ck_assert_str_eq(elf_error_name(ELF_ERR_MAGIC), "ELF_ERR_MAGIC");
	ck_assert_str_eq(elf_error_name(ELF_ERR_SEG_WX), "ELF_ERR_SEG_WX");
	ck_assert_str_eq(elf_error_name(ELF_OK), "ELF_OK");
	ck_assert_ptr_nonnull(elf_strerror(-1));
	ck_assert_ptr_nonnull(elf_strerror(ELF_ERR_COUNT));
	ck_assert_ptr_nonnull(elf_error_name(ELF_ERR_COUNT + 7));
}
END_TEST

/* Loading into a process memory. */

static struct mm mm;

static void load_setup(void)
{
	setup();
	fake_plat_reset(32 * 1024 * 1024);
	ck_assert_int_eq(frame_init(), 0);
	ck_assert_int_eq(vm_init(), 0);
	ck_assert_int_eq(mm_create(&mm), 0);
}

static void load_teardown(void)
{
	teardown();
	fake_plat_release();
}

static unsigned vm_flags_for(unsigned prot)
{
	return VM_USER | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

START_TEST(test_load_maps_segments)
{
	size_t len;
	unsigned char *img = unit_load_guest(guests[_i], &len);
	struct elf_info info;
	ck_assert_int_eq(elf_parse(img, len, &info), ELF_OK);
	ck_assert_int_eq(elf_load(&mm, img, &info), 0);
	for (int i = 0; i < info.nsegments; i++) {
		const struct elf_segment *s = &info.segments[i];
		uint64_t first = s->vaddr & ~(PG - 1), end = (s->vaddr + s->memsz + PG - 1) & ~(PG - 1);
		struct vma *v = mm_find(&mm, s->vaddr);
		ck_assert_ptr_nonnull(v);
		ck_assert_uint_eq(v->start, first);
		ck_assert_uint_eq(v->end, end);
		ck_assert_uint_eq(v->prot, s->prot);

		unsigned char *bytes = malloc(end - first);
		ck_assert_int_eq(copy_in(&mm, bytes, first, end - first), 0);
		const unsigned char *in_mem = bytes + (s->vaddr - first);
		ck_assert_msg(!memcmp(in_mem, img + s->offset, s->filesz),
			      "segment %d: file bytes not copied", i);
		for (uint64_t b = s->vaddr - first + s->filesz; b < end - first; b++)
			ck_assert_msg(bytes[b] == 0, "segment %d: byte %#llx after the file bytes is %#x",
				      i, (unsigned long long)(first + b), bytes[b]);
		free(bytes);

		for (uint64_t page = first; page < end; page += PG) {
			uint64_t pa;
			unsigned f;
			ck_assert_int_eq(vm_translate(&mm.as, page, &pa, &f), 0);
			/* A page of bss that was only read above shows the zero frame. */
			unsigned want = pa == frame_zero() ? (vm_flags_for(s->prot) & ~VM_WRITE) | VM_COW
							   : vm_flags_for(s->prot);
			ck_assert_msg(f == want, "page %#llx: flags %#x, prot %u",
				      (unsigned long long)page, f, s->prot);
		}
		char c = 0;
		if (!(s->prot & PROT_WRITE))
			ck_assert_int_eq(copy_out(&mm, s->vaddr, &c, 1), -EFAULT);
	}
	ck_assert_ptr_null(mm_find(&mm, info.segments[0].vaddr - 1));
	free(img);
}
END_TEST

Suite *elf_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *parse = unit_tcase(s, "parse", setup, teardown);
	tcase_add_loop_test(parse, test_guest_matches_libelf, 0, 3);
	tcase_add_test(parse, test_gnu_osabi_accepted);
	tcase_add_test(parse, test_static_pie_moved_as_a_block);
	tcase_add_test(parse, test_truncations_never_read_past_the_end);
	tcase_add_test(parse, test_error_strings_distinct);
	TCase *bad = unit_tcase(s, "malformed", setup, teardown);
	tcase_add_loop_test(bad, test_malformed_variant, 0, NVARIANTS);
	tcase_add_test(bad, test_every_error_has_a_variant);
	TCase *load = unit_tcase(s, "load", load_setup, load_teardown);
	tcase_add_loop_test(load, test_load_maps_segments, 0, 3);
	return s;
}
