/*
 * What gdb sees of a process: the target description (i386:x86-64 with the general, segment,
 * x87, SSE and fs_base/gs_base registers), the registers in its order, and memory read and
 * written through the process's page tables.
 */
#include "gdbstub.h"

#include <kernel/core.h>
#include <errno.h>
#include <string.h>

#define REG_EFLAGS 17
#define REG_CS 18
#define REG_ST0 24
#define REG_FCTRL 32
#define REG_XMM0 40
#define REG_MXCSR 56
#define REG_FS_BASE 57
#define USER_CS 0x33
#define USER_SS 0x2b
/* rflags bits a debugger may change: CF PF AF ZF SF DF OF. */
#define RFLAGS_USER 0xcd5ull

const char gdb_target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>i386:x86-64</architecture>\n"
	"<feature name=\"org.gnu.gdb.i386.core\">\n"
	"<flags id=\"i386_eflags\" size=\"4\">\n"
	"<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"
	"<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>"
	"<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>"
	"<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>"
	"<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>"
	"<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
	"<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>"
	"<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>"
	"<field name=\"ID\" start=\"21\" end=\"21\"/>\n"
	"</flags>\n"
	"<reg name=\"rax\" bitsize=\"64\" type=\"int64\"/><reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/><reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/><reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/><reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/><reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/><reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/><reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/><reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n"
	"<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n"
	"<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/><reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/><reg name=\"es\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/><reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.i386.sse\">\n"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
	"<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>"
	"<field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>"
	"<field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>"
	"<field name=\"uint128\" type=\"uint128\"/></union>\n"
	"<flags id=\"i386_mxcsr\" size=\"4\">\n"
	"<field name=\"IE\" start=\"0\" end=\"0\"/><field name=\"DE\" start=\"1\" end=\"1\"/>"
	"<field name=\"ZE\" start=\"2\" end=\"2\"/><field name=\"OE\" start=\"3\" end=\"3\"/>"
	"<field name=\"UE\" start=\"4\" end=\"4\"/><field name=\"PE\" start=\"5\" end=\"5\"/>"
	"<field name=\"DAZ\" start=\"6\" end=\"6\"/><field name=\"IM\" start=\"7\" end=\"7\"/>"
	"<field name=\"DM\" start=\"8\" end=\"8\"/><field name=\"ZM\" start=\"9\" end=\"9\"/>"
	"<field name=\"OM\" start=\"10\" end=\"10\"/><field name=\"UM\" start=\"11\" end=\"11\"/>"
	"<field name=\"PM\" start=\"12\" end=\"12\"/><field name=\"FZ\" start=\"15\" end=\"15\"/>\n"
	"</flags>\n"
	"<reg name=\"xmm0\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm1\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm2\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm3\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm4\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm5\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm6\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm7\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm8\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm9\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm10\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm11\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm12\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm13\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm14\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm15\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"mxcsr\" bitsize=\"32\" type=\"i386_mxcsr\" group=\"vector\"/>\n"
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.i386.segments\">\n"
	"<reg name=\"fs_base\" bitsize=\"64\" type=\"int\"/><reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>\n"
	"</feature>\n"
	"</target>\n";

unsigned gdb_reg_size(unsigned n)
{
	if (n <= GDB_REG_RIP || n >= REG_FS_BASE)
		return 8;
	if (n >= REG_ST0 && n < REG_FCTRL)
		return 10;
	if (n >= REG_XMM0 && n < REG_MXCSR)
		return 16;
	return 4;
}

/* The RAM at physical pa, or NULL when pa is not RAM (a device's BAR mapped into the process):
 * a debugger reads only memory, never a device's registers. */
static const uint8_t *ram_at(uint64_t pa)
{
	const struct plat_mem_range *r;
	size_t n = plat_mem_ranges(&r);
	for (size_t i = 0; i < n; i++)
		if (pa >= r[i].base && pa - r[i].base < r[i].size)
			return plat_phys(pa);
	return NULL;
}

size_t sim_peek(struct mm *mm, uint64_t va, void *dst, size_t len)
{
	uint8_t *d = dst;
	size_t done = 0;
	while (done < len) {
		uint64_t at = va + done, pa;
		unsigned flags;
		size_t n = MIN(len - done, PAGE_SIZE - (at & PAGE_MASK));
		if (at < va || at >= USER_END)
			break;
		const uint8_t *page;
		if (core_translate(mm, PAGE_DOWN(at), &pa, &flags) == 0) {
			if (!(page = ram_at(pa)))
				break;
			memcpy(d + done, page + (at & PAGE_MASK), n);
		} else if (core_in_region(mm, at)) {
			memset(d + done, 0, n); /* never touched: a zero page once it is */
		} else {
			break;
		}
		done += n;
	}
	return done;
}

int gdb_poke(struct mm *mm, uint64_t va, const void *src, size_t len)
{
	if (!len)
		return 0;
	if (va >= USER_END || len > USER_END - va)
		return -EFAULT;
	int err = core_poke(mm, va, src, len);
	for (uint64_t page = PAGE_DOWN(va); page < va + len; page += PAGE_SIZE) {
		uint64_t pa;
		unsigned flags;
		if (core_translate(mm, page, &pa, &flags) == 0 && (flags & CORE_PAGE_EXEC))
			plat_code_frame_freed(pa); /* what the sim does with it: forget its code */
	}
	return err;
}

/* The full x87 tag of physical register i from the abridged one, as the FPU would have it. */
static unsigned x87_tag(const uint8_t *fx, unsigned i)
{
	if (!(fx[4] & (1u << i)))
		return 3; /* empty */
	unsigned top = (fx[2] | fx[3] << 8) >> 11 & 7;
	const uint8_t *raw = fx + 32 + 16 * ((i + 8 - top) % 8);
	unsigned exponent = (raw[9] & 0x7fu) << 8 | raw[8];
	bool integer = raw[7] & 0x80, fraction = false;
	for (int b = 0; b < 8; b++)
		fraction |= (b == 7 ? raw[b] & 0x7f : raw[b]) != 0;
	if (exponent == 0x7fff)
		return 2;
	if (exponent == 0)
		return !fraction && !integer ? 1 : 2;
	return integer ? 0 : 2;
}

void gdb_reg_read(struct thread *p, unsigned n, uint8_t *out)
{
	struct uctx *u = core_uctx(p);
	const struct regs *r = &u->regs;
	const uint8_t *fx = u->fpu;
	uint64_t v = 0;
	plat_uctx_save(u);
	if (n < GDB_REG_RIP) {
		memcpy(out, (const uint64_t *)r + n, 8);
		return;
	}
	if (n >= REG_ST0 && n < REG_FCTRL) {
		memcpy(out, fx + 32 + 16 * (n - REG_ST0), 10);
		return;
	}
	if (n >= REG_XMM0 && n < REG_MXCSR) {
		memcpy(out, fx + 160 + 16 * (n - REG_XMM0), 16);
		return;
	}
	uint16_t w16;
	uint64_t w64;
	switch (n) {
	case GDB_REG_RIP: v = r->rip; break;
	case REG_EFLAGS: v = r->rflags; break;
	case REG_CS: v = USER_CS; break;
	case REG_CS + 1: v = USER_SS; break;
	case REG_FCTRL: memcpy(&w16, fx, 2); v = w16; break;
	case REG_FCTRL + 1: memcpy(&w16, fx + 2, 2); v = w16; break;
	case REG_FCTRL + 2:
		for (unsigned i = 0; i < 8; i++)
			v |= (uint64_t)x87_tag(fx, i) << (2 * i);
		break;
	case REG_FCTRL + 3: memcpy(&w64, fx + 8, 8); v = w64 >> 32 & 0xffff; break;
	case REG_FCTRL + 4: memcpy(&w64, fx + 8, 8); v = w64 & 0xffffffff; break;
	case REG_FCTRL + 5: memcpy(&w64, fx + 16, 8); v = w64 >> 32 & 0xffff; break;
	case REG_FCTRL + 6: memcpy(&w64, fx + 16, 8); v = w64 & 0xffffffff; break;
	case REG_FCTRL + 7: memcpy(&w16, fx + 6, 2); v = w16 & 0x7ff; break;
	case REG_MXCSR: memcpy(&w16, fx + 24, 2); v = w16 | (uint64_t)fx[26] << 16 | (uint64_t)fx[27] << 24; break;
	case REG_FS_BASE: v = r->fs_base; break;
	case REG_FS_BASE + 1: v = r->gs_base; break;
	default: break; /* ds, es, fs, gs: 0 in 64-bit user mode */
	}
	memcpy(out, &v, gdb_reg_size(n));
}

int gdb_reg_write(struct thread *p, unsigned n, const uint8_t *in)
{
	struct uctx *u = core_uctx(p);
	struct regs *r = &u->regs;
	uint8_t *fx = u->fpu;
	uint64_t v = 0;
	memcpy(&v, in, MIN(gdb_reg_size(n), 8u));
	if (n < GDB_REG_RIP) {
		memcpy((uint64_t *)r + n, &v, 8);
		return 0;
	}
	switch (n) {
	case GDB_REG_RIP: r->rip = v; return 0;
	case REG_EFLAGS: r->rflags = (r->rflags & ~RFLAGS_USER) | (v & RFLAGS_USER); return 0;
	case REG_FS_BASE:
	case REG_FS_BASE + 1:
		if (v >= USER_END)
			return -EINVAL;
		*(n == REG_FS_BASE ? &r->fs_base : &r->gs_base) = v;
		return 0;
	default:
		break;
	}
	if (n >= REG_CS && n < REG_ST0)
		return 0; /* the selectors are fixed */
	/* x87/SSE: change the saved copy, which becomes the one the CPU loads. */
	plat_uctx_save(u);
	if (n >= REG_ST0 && n < REG_FCTRL)
		memcpy(fx + 32 + 16 * (n - REG_ST0), in, 10);
	else if (n >= REG_XMM0 && n < REG_MXCSR)
		memcpy(fx + 160 + 16 * (n - REG_XMM0), in, 16);
	else if (n == REG_FCTRL || n == REG_FCTRL + 1)
		memcpy(fx + 2 * (n - REG_FCTRL), &v, 2);
	else if (n == REG_FCTRL + 2) {
		uint8_t abridged = 0;
		for (unsigned i = 0; i < 8; i++)
			if ((v >> (2 * i) & 3) != 3)
				abridged |= (uint8_t)(1u << i);
		fx[4] = abridged;
	} else if (n == REG_FCTRL + 7)
		memcpy(fx + 6, &v, 2);
	else if (n == REG_MXCSR)
		memcpy(fx + 24, &v, 4);
	plat_uctx_discard(u);
	return 0;
}
