/*
 * The GDB remote serial protocol on a localhost TCP port (`eclipse-sim --gdb PORT`).
 *
 * All-stop: while the stub talks to gdb the whole system is stopped, inside the CPU's run of
 * one thread (debug.c decides when). Each Eclipse process is a gdb thread whose id is its pid;
 * registers and memory are those of the thread gdb selected with Hg, memory read through that
 * process's page tables without side effects and written like the kernel's loader does
 * (mm_poke: copy-on-write frames are copied first, so no other process sees the change).
 *
 * Malformed packets get an error reply (E01 unparsable, E03 no such thread, E14 bad address,
 * E22 bad value), unknown ones an empty reply, packets with a bad checksum a '-'. A debugger
 * that disconnects has detached: the system runs on and another may connect.
 */
#include "debug.h"

#include <kernel/kernel.h>
#include <kernel/vm.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PACKET_MAX 0x4000 /* our PacketSize: the longest packet gdb may send */
#define INBUF_MAX (2 * PACKET_MAX)
#define REPLY_MAX (2 * PACKET_MAX + 64)
#define NREGS 59
#define REG_RIP 16
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

enum { SERVE_ON, SERVE_RESUME, SERVE_DETACH, SERVE_KILL };

static const char target_xml[] =
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

/* Bytes of each register in the 'g' packet, in the target description's order. */
static unsigned reg_size(unsigned n)
{
	if (n <= REG_RIP || n >= REG_FS_BASE)
		return 8;
	if (n >= REG_ST0 && n < REG_FCTRL)
		return 10;
	if (n >= REG_XMM0 && n < REG_MXCSR)
		return 16;
	return 4;
}

static struct {
	int listen_fd, fd; /* fd: the debugger's connection, or -1 */
	int port;
	bool noack, swbreak, hwbreak;
	bool waiting;      /* it resumed the system and waits for a stop reply */
	int gthread, cthread; /* Hg and Hc: a pid, 0 any, -1 all */
	struct debug_stop last; /* the stop '?' reports */
	char in[INBUF_MAX];
	size_t inlen;
	char *out; /* the last packet sent, for a '-' */
	size_t outlen;
} gs = {.listen_fd = -1, .fd = -1};

static const char hexdigits[] = "0123456789abcdef";

int gdbstub_open(int port)
{
	gs.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (gs.listen_fd < 0)
		return -errno;
	int one = 1;
	setsockopt(gs.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(addr);
	if (bind(gs.listen_fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(gs.listen_fd, 1) ||
	    getsockname(gs.listen_fd, (struct sockaddr *)&addr, &len)) {
		int err = -errno;
		close(gs.listen_fd);
		gs.listen_fd = -1;
		return err;
	}
	gs.port = ntohs(addr.sin_port);
	fprintf(stderr, "eclipse-sim: gdb: listening on localhost:%d\n", gs.port);
	return 0;
}

static void disconnect(void)
{
	if (gs.fd >= 0)
		close(gs.fd);
	gs.fd = -1;
	gs.inlen = 0;
	gs.waiting = false;
}

void gdbstub_close(void)
{
	disconnect();
	if (gs.listen_fd >= 0)
		close(gs.listen_fd);
	gs.listen_fd = -1;
	free(gs.out);
	gs.out = NULL;
}

bool gdbstub_connected(void)
{
	return gs.fd >= 0;
}

static bool accept_connection(void)
{
	int fd = accept4(gs.listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return false;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	gs.fd = fd;
	gs.inlen = 0;
	gs.noack = gs.swbreak = gs.hwbreak = gs.waiting = false;
	gs.gthread = gs.cthread = 0;
	return true;
}

static bool send_all(const char *buf, size_t len)
{
	while (len && gs.fd >= 0) {
		ssize_t n = send(gs.fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			disconnect();
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return gs.fd >= 0;
}

static void send_packet(const char *data, size_t len)
{
	char *pkt = malloc(len + 4);
	if (!pkt)
		return;
	uint8_t sum = 0;
	pkt[0] = '$';
	for (size_t i = 0; i < len; i++) {
		pkt[1 + i] = data[i];
		sum = (uint8_t)(sum + (uint8_t)data[i]);
	}
	pkt[len + 1] = '#';
	pkt[len + 2] = hexdigits[sum >> 4];
	pkt[len + 3] = hexdigits[sum & 15];
	free(gs.out);
	gs.out = pkt;
	gs.outlen = len + 4;
	send_all(pkt, len + 4);
}

/* A reply being built. */
struct reply {
	char buf[REPLY_MAX];
	size_t len;
};

static void put(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct reply *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = sizeof(r->buf) - r->len;
	int n = vsnprintf(r->buf + r->len, room, fmt, ap);
	va_end(ap);
	r->len += n < 0 ? 0 : (size_t)n >= room ? room - 1 : (size_t)n;
}

static void put_hex(struct reply *r, const void *data, size_t len)
{
	const uint8_t *b = data;
	for (size_t i = 0; i < len && r->len + 2 < sizeof(r->buf); i++) {
		r->buf[r->len++] = hexdigits[b[i] >> 4];
		r->buf[r->len++] = hexdigits[b[i] & 15];
	}
}

/* Binary data with '#', '$', '}' and '*' escaped, as qXfer replies carry it. */
static void put_binary(struct reply *r, const char *data, size_t len)
{
	for (size_t i = 0; i < len && r->len + 2 < sizeof(r->buf); i++) {
		char c = data[i];
		if (c == '#' || c == '$' || c == '}' || c == '*') {
			r->buf[r->len++] = '}';
			c ^= 0x20;
		}
		r->buf[r->len++] = c;
	}
}

static void reply_error(struct reply *r, int err)
{
	r->len = 0;
	put(r, "E%02x", err & 0xff);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A hex number of 1 to 16 digits at *s; advances *s past it. */
static bool parse_hex(const char **s, uint64_t *v)
{
	uint64_t x = 0;
	int digits = 0;
	for (int d; (d = hexval(**s)) >= 0; (*s)++) {
		if (++digits > 16)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return digits > 0;
}

/* Exactly len bytes of hex digits at s into out. */
static bool parse_hex_bytes(const char *s, size_t digits, uint8_t *out, size_t len)
{
	if (digits != 2 * len)
		return false;
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* A thread id: "-1" (all), "0" (any) or a pid in hex. */
static bool parse_thread(const char **s, int *tid)
{
	uint64_t v;
	if (**s == '-' && (*s)[1] == '1') {
		*s += 2;
		*tid = -1;
		return true;
	}
	if (!parse_hex(s, &v) || v > INT32_MAX)
		return false;
	*tid = (int)v;
	return true;
}

static struct proc *live_proc(int pid)
{
	struct proc *p = proc_find(pid);
	return p && p->state != PROC_ZOMBIE ? p : NULL;
}

static struct proc *first_live(void)
{
	unsigned cursor = 0;
	for (struct proc *p; (p = proc_next(&cursor));)
		if (p->state != PROC_ZOMBIE)
			return p;
	return NULL;
}

/* The process a thread id selects: a pid, or for 0 and -1 the one that stopped. */
static struct proc *thread_proc(int tid)
{
	if (tid > 0)
		return live_proc(tid);
	struct proc *p = live_proc(gs.last.pid);
	return p ? p : first_live();
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
		if (vm_translate(&mm->as, PAGE_DOWN(at), &pa, &flags) == 0)
			memcpy(d + done, (uint8_t *)plat_phys(pa) + (at & PAGE_MASK), n);
		else if (mm_find(mm, at))
			memset(d + done, 0, n); /* never touched: a zero page once it is */
		else
			break;
		done += n;
	}
	return done;
}

/* Writes guest memory as the loader does; translated code of the pages written is dropped. */
static int poke(struct mm *mm, uint64_t va, const void *src, size_t len)
{
	if (!len)
		return 0;
	if (va >= USER_END || len > USER_END - va)
		return -EFAULT;
	int err = mm_poke(mm, va, src, len);
	for (uint64_t page = PAGE_DOWN(va); page < va + len; page += PAGE_SIZE) {
		uint64_t pa;
		unsigned flags;
		if (vm_translate(&mm->as, page, &pa, &flags) == 0 && (flags & VM_EXEC))
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

/* Register n of p into out (reg_size(n) bytes). */
static void read_register(struct proc *p, unsigned n, uint8_t *out)
{
	const struct regs *r = &p->ctx.regs;
	const uint8_t *fx = p->ctx.fpu;
	uint64_t v = 0;
	plat_uctx_save(&p->ctx);
	if (n < REG_RIP) {
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
	case REG_RIP: v = r->rip; break;
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
	memcpy(out, &v, reg_size(n));
}

/* Sets register n of p from in: 0, or -EINVAL for a value the CPU cannot take. */
static int write_register(struct proc *p, unsigned n, const uint8_t *in)
{
	struct regs *r = &p->ctx.regs;
	uint8_t *fx = p->ctx.fpu;
	uint64_t v = 0;
	memcpy(&v, in, MIN(reg_size(n), 8u));
	if (n < REG_RIP) {
		memcpy((uint64_t *)r + n, &v, 8);
		return 0;
	}
	switch (n) {
	case REG_RIP: r->rip = v; return 0;
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
	plat_uctx_save(&p->ctx);
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
	plat_uctx_discard(&p->ctx);
	return 0;
}

static void put_stop(struct reply *r, const struct debug_stop *s)
{
	static const uint8_t signals[] = {
		[DEBUG_ATTACH] = 5, [DEBUG_INITIAL] = 5, [DEBUG_EXEC] = 5, [DEBUG_INTERRUPT] = 2,
		[DEBUG_BREAK] = 5,  [DEBUG_HWBREAK] = 5, [DEBUG_STEP] = 5, [DEBUG_WATCH] = 5,
		[DEBUG_RWATCH] = 5, [DEBUG_AWATCH] = 5,  [DEBUG_GONE] = 5,
	};
	struct proc *p = live_proc(s->pid);
	put(r, "T%02xthread:%x;", signals[s->reason], s->pid);
	if (s->reason == DEBUG_BREAK && gs.swbreak)
		put(r, "swbreak:;");
	else if (s->reason == DEBUG_HWBREAK && gs.hwbreak)
		put(r, "hwbreak:;");
	else if (s->reason == DEBUG_WATCH || s->reason == DEBUG_RWATCH || s->reason == DEBUG_AWATCH)
		put(r, "%s:%llx;",
		    s->reason == DEBUG_WATCH ? "watch" : s->reason == DEBUG_RWATCH ? "rwatch" : "awatch",
		    (unsigned long long)s->addr);
	if (!p)
		return;
	static const unsigned expedite[] = {6, 7, REG_RIP}; /* rbp, rsp, rip */
	for (size_t i = 0; i < ARRAY_SIZE(expedite); i++) {
		uint8_t v[8];
		read_register(p, expedite[i], v);
		put(r, "%02x:", expedite[i]);
		put_hex(r, v, 8);
		put(r, ";");
	}
}

/* Serves a qXfer read of [off, off+len) of the document doc. */
static void put_xfer(struct reply *r, const char *doc, size_t size, const char *range)
{
	uint64_t off, len;
	if (!parse_hex(&range, &off) || *range++ != ',' || !parse_hex(&range, &len) || *range) {
		reply_error(r, 1);
		return;
	}
	if (off >= size) {
		put(r, "l");
		return;
	}
	size_t n = (size_t)MIN(len, MIN((uint64_t)(size - off), (uint64_t)(PACKET_MAX / 2)));
	put(r, off + n >= size ? "l" : "m");
	put_binary(r, doc + off, n);
}

static size_t threads_xml(char *buf, size_t size)
{
	size_t len = 0;
	unsigned cursor = 0;
	len += (size_t)snprintf(buf, size, "<?xml version=\"1.0\"?>\n<threads>\n");
	for (struct proc *p; (p = proc_next(&cursor)) && len < size;)
		if (p->state != PROC_ZOMBIE)
			len += (size_t)snprintf(buf + len, size - len,
						"<thread id=\"%x\" name=\"%s\">%s pid %d</thread>\n", p->pid,
						p->name, p->name, p->pid);
	if (len < size)
		len += (size_t)snprintf(buf + len, size - len, "</threads>\n");
	return MIN(len, size - 1);
}

static void query(struct reply *r, const char *pkt)
{
	if (!strncmp(pkt, "qSupported", 10)) {
		gs.swbreak = strstr(pkt, "swbreak+") != NULL;
		gs.hwbreak = strstr(pkt, "hwbreak+") != NULL;
		put(r, "PacketSize=%x;qXfer:features:read+;qXfer:threads:read+;QStartNoAckMode+;"
		       "vContSupported+%s%s",
		    PACKET_MAX, gs.swbreak ? ";swbreak+" : "", gs.hwbreak ? ";hwbreak+" : "");
	} else if (!strcmp(pkt, "QStartNoAckMode")) {
		put(r, "OK");
		gs.noack = true;
	} else if (!strncmp(pkt, "qXfer:features:read:target.xml:", 31)) {
		put_xfer(r, target_xml, sizeof(target_xml) - 1, pkt + 31);
	} else if (!strncmp(pkt, "qXfer:threads:read::", 20)) {
		static char doc[128 * 1024];
		put_xfer(r, doc, threads_xml(doc, sizeof(doc)), pkt + 20);
	} else if (!strncmp(pkt, "qXfer:", 6)) {
		/* another object: unsupported, empty reply */
	} else if (!strcmp(pkt, "qAttached")) {
		put(r, "1"); /* quitting gdb detaches; `kill` ends the simulator */
	} else if (!strcmp(pkt, "qC")) {
		struct proc *p = thread_proc(gs.gthread);
		put(r, "QC%x", p ? p->pid : 0);
	} else if (!strcmp(pkt, "qfThreadInfo")) {
		unsigned cursor = 0;
		const char *sep = "m";
		for (struct proc *p; (p = proc_next(&cursor));)
			if (p->state != PROC_ZOMBIE) {
				put(r, "%s%x", sep, p->pid);
				sep = ",";
			}
		if (!r->len)
			put(r, "l");
	} else if (!strcmp(pkt, "qsThreadInfo")) {
		put(r, "l");
	} else if (!strncmp(pkt, "qThreadExtraInfo,", 17)) {
		const char *s = pkt + 17;
		int tid;
		struct proc *p = parse_thread(&s, &tid) && !*s ? live_proc(tid) : NULL;
		if (!p) {
			reply_error(r, ESRCH);
			return;
		}
		char info[64];
		int n = snprintf(info, sizeof(info), "%s pid %d", p->name, p->pid);
		put_hex(r, info, (size_t)MIN(n, (int)sizeof(info) - 1));
	} else if (!strncmp(pkt, "qSymbol:", 8)) {
		put(r, "OK");
	}
}

static void read_memory(struct reply *r, const char *args)
{
	uint64_t addr, len;
	struct proc *p = thread_proc(gs.gthread);
	if (!parse_hex(&args, &addr) || *args++ != ',' || !parse_hex(&args, &len) || *args) {
		reply_error(r, 1);
		return;
	}
	if (!p) {
		reply_error(r, ESRCH);
		return;
	}
	uint8_t buf[PACKET_MAX / 2];
	size_t got = sim_peek(&p->mm, addr, buf, (size_t)MIN(len, (uint64_t)sizeof(buf)));
	if (len && !got)
		reply_error(r, EFAULT);
	else
		put_hex(r, buf, got);
}

/* M addr,len:hex and X addr,len:binary (length bytes of pkt). */
static void write_memory(struct reply *r, const char *pkt, size_t length)
{
	const char *s = pkt + 1, *end = pkt + length;
	uint64_t addr, len;
	struct proc *p = thread_proc(gs.gthread);
	if (!parse_hex(&s, &addr) || *s++ != ',' || !parse_hex(&s, &len) || *s++ != ':' ||
	    len > PACKET_MAX) {
		reply_error(r, 1);
		return;
	}
	uint8_t buf[PACKET_MAX];
	size_t n = 0;
	if (pkt[0] == 'M') {
		if (!parse_hex_bytes(s, (size_t)(end - s), buf, (size_t)len)) {
			reply_error(r, 1);
			return;
		}
		n = (size_t)len;
	} else {
		for (; s < end && n < sizeof(buf); n++) {
			char c = *s++;
			if (c == '}') {
				if (s == end)
					break;
				c = (char)(*s++ ^ 0x20);
			}
			buf[n] = (uint8_t)c;
		}
		if (s != end || n != len) {
			reply_error(r, 1);
			return;
		}
	}
	if (!p) {
		reply_error(r, ESRCH);
		return;
	}
	int err = poke(&p->mm, addr, buf, n);
	if (err)
		reply_error(r, -err);
	else
		put(r, "OK");
}

static void registers(struct reply *r, const char *pkt, size_t length)
{
	struct proc *p = thread_proc(gs.gthread);
	if (!p) {
		reply_error(r, ESRCH);
		return;
	}
	uint8_t v[16];
	if (pkt[0] == 'g') {
		if (length != 1) {
			reply_error(r, 1);
			return;
		}
		for (unsigned n = 0; n < NREGS; n++) {
			read_register(p, n, v);
			put_hex(r, v, reg_size(n));
		}
		return;
	}
	if (pkt[0] == 'G') {
		const char *s = pkt + 1;
		size_t total = 0;
		for (unsigned n = 0; n < NREGS; n++)
			total += 2 * reg_size(n);
		if (length - 1 != total) {
			reply_error(r, 1);
			return;
		}
		for (unsigned n = 0; n < NREGS; n++) {
			if (!parse_hex_bytes(s, 2 * reg_size(n), v, reg_size(n))) {
				reply_error(r, 1);
				return;
			}
			s += 2 * reg_size(n);
		}
		s = pkt + 1;
		for (unsigned n = 0; n < NREGS; n++, s += 2 * reg_size(n - 1)) {
			parse_hex_bytes(s, 2 * reg_size(n), v, reg_size(n));
			write_register(p, n, v);
		}
		put(r, "OK");
		return;
	}
	const char *s = pkt + 1;
	uint64_t n;
	if (!parse_hex(&s, &n) || (pkt[0] == 'p' ? *s != 0 : *s++ != '=')) {
		reply_error(r, 1);
		return;
	}
	if (n >= NREGS) {
		reply_error(r, EINVAL);
		return;
	}
	if (pkt[0] == 'p') {
		read_register(p, (unsigned)n, v);
		put_hex(r, v, reg_size((unsigned)n));
		return;
	}
	if (!parse_hex_bytes(s, (size_t)(pkt + length - s), v, reg_size((unsigned)n))) {
		reply_error(r, 1);
		return;
	}
	int err = write_register(p, (unsigned)n, v);
	if (err)
		reply_error(r, -err);
	else
		put(r, "OK");
}

/* Z type,addr,kind and z type,addr,kind. */
static void breakpoint(struct reply *r, const char *pkt)
{
	const char *s = pkt + 1;
	uint64_t type, addr, kind;
	if (!parse_hex(&s, &type) || *s++ != ',' || !parse_hex(&s, &addr) || *s++ != ',' ||
	    !parse_hex(&s, &kind) || (*s && *s != ';')) {
		reply_error(r, 1);
		return;
	}
	bool insert = pkt[0] == 'Z';
	int err;
	if (type <= 1) {
		err = insert ? debug_break_insert(addr, type == 1) : debug_break_remove(addr, type == 1);
	} else if (type <= 4) {
		unsigned access = type == 2 ? DEBUG_WATCH_WRITE
			       : type == 3 ? DEBUG_WATCH_READ : DEBUG_WATCH_WRITE | DEBUG_WATCH_READ;
		err = insert ? debug_watch_insert(addr, kind, access) : debug_watch_remove(addr, kind, access);
	} else {
		return; /* unknown type: empty reply */
	}
	if (err)
		reply_error(r, -err);
	else
		put(r, "OK");
}

/* The resume a 'c', 'C', 's' or 'S' packet asks for: an optional new pc, then the Hc thread
 * (or all) continues, or steps with the others stopped. */
static int legacy_resume(struct reply *r, const char *pkt)
{
	const char *s = pkt + 1;
	uint64_t v;
	if ((pkt[0] == 'C' || pkt[0] == 'S') && (!parse_hex(&s, &v) || (*s && *s++ != ';'))) {
		reply_error(r, 1);
		return SERVE_ON;
	}
	uint64_t addr = 0;
	bool has_addr = *s != 0;
	if (has_addr && (!parse_hex(&s, &addr) || *s)) {
		reply_error(r, 1);
		return SERVE_ON;
	}
	struct proc *p = thread_proc(gs.cthread);
	if (!p) {
		reply_error(r, ESRCH);
		return SERVE_ON;
	}
	if (has_addr)
		p->ctx.regs.rip = addr;
	bool step = pkt[0] == 's' || pkt[0] == 'S';
	struct debug_resume res[2] = {{p->pid, step ? DEBUG_ACT_STEP : DEBUG_ACT_CONTINUE, 0, 0},
				      {0, DEBUG_ACT_CONTINUE, 0, 0}};
	debug_resume(res, step || gs.cthread > 0 ? 1 : 2);
	return SERVE_RESUME;
}

/* vCont;action[:thread]... with actions c, C sig, s, S sig, r start,end. */
static int vcont(struct reply *r, const char *pkt)
{
	struct debug_resume res[64];
	size_t n = 0;
	const char *s = pkt + 5;
	while (*s == ';' && n < ARRAY_SIZE(res)) {
		s++;
		struct debug_resume a = {0, DEBUG_ACT_CONTINUE, 0, 0};
		uint64_t v;
		char op = *s++;
		switch (op) {
		case 'C':
		case 'S':
			if (!parse_hex(&s, &v))
				goto bad;
			a.action = op == 'C' ? DEBUG_ACT_CONTINUE : DEBUG_ACT_STEP;
			break;
		case 'c':
			break;
		case 's':
			a.action = DEBUG_ACT_STEP;
			break;
		case 'r':
			a.action = DEBUG_ACT_RANGE;
			if (!parse_hex(&s, &a.lo) || *s++ != ',' || !parse_hex(&s, &a.hi))
				goto bad;
			break;
		default:
			goto bad;
		}
		if (*s == ':') {
			s++;
			int tid;
			if (!parse_thread(&s, &tid))
				goto bad;
			a.pid = tid > 0 ? tid : 0;
		}
		if (!a.pid && a.action != DEBUG_ACT_CONTINUE) {
			/* stepping every thread: step the one that stopped, keep the rest */
			struct proc *p = thread_proc(0);
			if (!p)
				goto bad;
			a.pid = p->pid;
		}
		if (*s && *s != ';')
			goto bad;
		res[n++] = a;
	}
	if (*s || !n)
		goto bad;
	debug_resume(res, n);
	return SERVE_RESUME;
bad:
	reply_error(r, 1);
	return SERVE_ON;
}

/* Handles one packet (length bytes); returns what the serving loop does next. */
static int handle(const char *pkt, size_t length, struct reply *r)
{
	const char *s;
	int tid;
	switch (pkt[0]) {
	case '?':
		gs.gthread = gs.last.pid;
		put_stop(r, &gs.last);
		return SERVE_ON;
	case 'q':
	case 'Q':
		query(r, pkt);
		return SERVE_ON;
	case 'H':
		s = pkt + 2;
		if ((pkt[1] != 'g' && pkt[1] != 'c') || !parse_thread(&s, &tid) || *s) {
			reply_error(r, 1);
		} else if (tid > 0 && !live_proc(tid)) {
			reply_error(r, ESRCH);
		} else {
			*(pkt[1] == 'g' ? &gs.gthread : &gs.cthread) = tid;
			put(r, "OK");
		}
		return SERVE_ON;
	case 'T':
		s = pkt + 1;
		if (!parse_thread(&s, &tid) || *s)
			reply_error(r, 1);
		else if (tid <= 0 || !live_proc(tid))
			reply_error(r, ESRCH);
		else
			put(r, "OK");
		return SERVE_ON;
	case 'g':
	case 'G':
	case 'p':
	case 'P':
		registers(r, pkt, length);
		return SERVE_ON;
	case 'm':
		read_memory(r, pkt + 1);
		return SERVE_ON;
	case 'M':
	case 'X':
		write_memory(r, pkt, length);
		return SERVE_ON;
	case 'Z':
	case 'z':
		breakpoint(r, pkt);
		return SERVE_ON;
	case 'c':
	case 'C':
	case 's':
	case 'S':
		return legacy_resume(r, pkt);
	case 'D':
		put(r, "OK");
		return SERVE_DETACH;
	case 'k':
		return SERVE_KILL;
	case 'v':
		if (!strcmp(pkt, "vCont?")) {
			put(r, "vCont;c;C;s;S;r");
		} else if (!strncmp(pkt, "vCont;", 6)) {
			return vcont(r, pkt);
		} else if (!strncmp(pkt, "vKill", 5)) {
			put(r, "OK");
			return SERVE_KILL;
		}
		return SERVE_ON;
	default:
		return SERVE_ON; /* unknown: empty reply */
	}
}

/* Reads what the debugger sent, waiting up to timeout_ms (-1: forever). False when it went. */
static bool receive(int timeout_ms)
{
	struct pollfd pfd = {gs.fd, POLLIN, 0};
	unsigned stops = plat_stop_requests();
	for (;;) {
		int n = poll(&pfd, 1, timeout_ms);
		if (n < 0 && errno == EINTR && plat_stop_requests() == stops)
			continue;
		if (n <= 0)
			return true;
		if (gs.inlen == sizeof(gs.in))
			gs.inlen = 0; /* garbage that never formed a packet */
		ssize_t got = recv(gs.fd, gs.in + gs.inlen, sizeof(gs.in) - gs.inlen, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			disconnect();
			return false;
		}
		gs.inlen += (size_t)got;
		return true;
	}
}

static void consume(size_t n)
{
	memmove(gs.in, gs.in + n, gs.inlen - n);
	gs.inlen -= n;
}

/*
 * Takes the next complete packet out of the input into pkt (NUL-terminated): its length, or
 * -1 when there is none yet. Acks are skipped, a '-' resends our last packet, a packet with a
 * bad checksum or cut short by another '$' gets a '-'. *interrupt is set by a Ctrl-C byte.
 */
static long take_packet(char *pkt, bool *interrupt)
{
	for (;;) {
		size_t i = 0;
		while (i < gs.inlen && gs.in[i] != '$') {
			if (gs.in[i] == 3)
				*interrupt = true;
			else if (gs.in[i] == '-' && !gs.noack && gs.out)
				send_all(gs.out, gs.outlen);
			i++;
		}
		consume(i);
		if (!gs.inlen)
			return -1;
		size_t end = 1;
		while (end < gs.inlen && gs.in[end] != '#' && gs.in[end] != '$')
			end++;
		if (end < gs.inlen && gs.in[end] == '$') { /* cut short: drop it */
			send_all("-", 1);
			consume(end);
			continue;
		}
		if (end + 2 >= gs.inlen) {
			if (end > PACKET_MAX) { /* longer than we said we take */
				send_all("-", 1);
				consume(end);
				continue;
			}
			return -1;
		}
		uint8_t sum = 0;
		for (size_t k = 1; k < end; k++)
			sum = (uint8_t)(sum + (uint8_t)gs.in[k]);
		int hi = hexval(gs.in[end + 1]), lo = hexval(gs.in[end + 2]);
		size_t len = end - 1;
		bool good = hi >= 0 && lo >= 0 && (unsigned)(hi << 4 | lo) == sum && len < PACKET_MAX;
		if (good)
			memcpy(pkt, gs.in + 1, len);
		consume(end + 3);
		if (!good) {
			send_all("-", 1);
			continue;
		}
		if (!gs.noack)
			send_all("+", 1);
		pkt[len] = 0;
		return (long)len;
	}
}

bool gdbstub_poll(enum debug_reason *reason)
{
	if (gs.fd < 0) {
		if (gs.listen_fd < 0 || !accept_connection())
			return false;
		*reason = DEBUG_ATTACH;
		return true;
	}
	bool interrupt = false;
	struct pollfd pfd = {gs.fd, POLLIN, 0};
	while (gs.fd >= 0 && poll(&pfd, 1, 0) > 0) {
		if (!receive(0)) {
			debug_detach();
			return false;
		}
		/* Only Ctrl-C is expected while the system runs; the rest waits for the next stop. */
		for (size_t i = 0; i < gs.inlen; i++)
			if (gs.in[i] == 3) {
				interrupt = true;
				gs.in[i] = '+';
			}
	}
	if (interrupt)
		*reason = DEBUG_INTERRUPT;
	return interrupt;
}

void gdbstub_wait_input(int timeout_ms)
{
	struct pollfd pfd = {gs.fd >= 0 ? gs.fd : gs.listen_fd, POLLIN, 0};
	if (pfd.fd >= 0)
		poll(&pfd, 1, timeout_ms);
}

/* Waits for a debugger to connect; false if the user stopped the machine meanwhile. */
static bool wait_for_debugger(void)
{
	fprintf(stderr, "eclipse-sim: gdb: waiting for a debugger on localhost:%d\n", gs.port);
	unsigned stops = plat_stop_requests();
	while (gs.fd < 0 && plat_stop_requests() == stops) {
		struct pollfd pfd = {gs.listen_fd, POLLIN, 0};
		if (poll(&pfd, 1, 1000) > 0)
			accept_connection();
	}
	return gs.fd >= 0;
}

void gdbstub_stopped(const struct debug_stop *s, bool wait_for_connection)
{
	gs.last = *s;
	gs.gthread = s->pid; /* gdb takes the thread of a stop reply as the selected one */
	if (gs.fd < 0 && !(wait_for_connection && wait_for_debugger())) {
		debug_detach();
		return;
	}
	static struct reply r;
	if (gs.waiting) {
		r.len = 0;
		put_stop(&r, s);
		send_packet(r.buf, r.len);
		gs.waiting = false;
	}
	static char pkt[PACKET_MAX + 1];
	while (gs.fd >= 0) {
		bool interrupt = false; /* the system is stopped already */
		long len = take_packet(pkt, &interrupt);
		if (len < 0) {
			if (!receive(-1) && gs.fd < 0)
				break;
			continue;
		}
		r.len = 0;
		int next = len ? handle(pkt, (size_t)len, &r) : SERVE_ON;
		if (next == SERVE_KILL) {
			if (r.len) /* vKill is answered, k is not */
				send_packet(r.buf, r.len);
			debug_kill();
			disconnect();
			return;
		}
		if (next != SERVE_RESUME)
			send_packet(r.buf, r.len);
		if (next == SERVE_DETACH) {
			disconnect();
			break;
		}
		if (next == SERVE_RESUME) {
			gs.waiting = true;
			return;
		}
	}
	debug_detach(); /* it detached or went away */
}

void gdbstub_exited(int status)
{
	if (gs.fd < 0)
		return;
	char r[8];
	if (status >= 0 && (status & 0x7f) == 0)
		snprintf(r, sizeof(r), "W%02x", (status >> 8) & 0xff);
	else
		snprintf(r, sizeof(r), "X%02x", status >= 0 ? status & 0x7f : 9);
	send_packet(r, strlen(r));
	disconnect();
}
