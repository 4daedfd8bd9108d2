/* The unit tests' machine: <kernel/plat.h> over host memory, with a scripted CPU. */
#include "fake_plat.h"

#include <check.h>
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fake_counters fake_counts;

struct buffer {
	char *data;
	size_t len, cap;
};

enum step_kind { STEP_SYSCALL, STEP_FAULT, STEP_EXCEPTION, STEP_TICK };

#define MAX_FILES 8
#define MAX_THREADS 64
#define SYSCALL_INSN_LEN 2

struct file {
	const char *path;
	const void *data;
	size_t len;
};

struct step {
	enum step_kind kind;
	uint64_t nr, args[6];
	uint64_t rip, addr;
	unsigned access, vector;
	bool known;
};

#define FAKE_PCI_MAX 80

static struct {
	unsigned char *ram;
	size_t ram_size;
	size_t touched; /* RAM below this may have been reached through plat_phys */
	struct plat_mem_range range;
	struct buffer out[2];
	const unsigned char *input;
	size_t input_len, input_at;
	long console_err;
	bool interactive;
	unsigned rows, cols;
	uint64_t clock_ns, epoch_ns;
	const void *boot_image;
	size_t boot_len;
	struct file files[MAX_FILES];
	size_t nfiles;
	struct step *steps;
	size_t nsteps, step_at, steps_cap;
	struct fake_entry *runs;
	size_t nruns, runs_cap;
	struct {
		const struct uctx *u;
		uint64_t rip; /* where u's last syscall instruction is */
	} last_syscall[MAX_THREADS];
	jmp_buf *panic_jmp;
	char panic_msg[512];
	struct fake_pci_fn {
		unsigned bus, dev, fn;
		uint32_t config[64];
		uint64_t bar_size[6];
	} pci[FAKE_PCI_MAX];
	size_t npci;
} m;

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	size_t cap2 = *cap ? *cap : 16;
	while (cap2 < need)
		cap2 *= 2;
	p = realloc(p, cap2 * elem);
	ck_assert_msg(p != NULL, "fake platform: out of host memory");
	*cap = cap2;
	return p;
}

void fake_plat_release(void)
{
	free(m.ram);
	free(m.out[0].data);
	free(m.out[1].data);
	free(m.steps);
	free(m.runs);
	memset(&m, 0, sizeof(m));
	memset(&fake_counts, 0, sizeof(fake_counts));
}

void fake_plat_reset(size_t ram_bytes)
{
	/* The same amount of RAM as before is reused and only what the kernel may have reached
	 * is poisoned again: fuzz harnesses reset for every input, and fresh host pages each
	 * time would be most of their cost. */
	unsigned char *ram = m.ram_size == ram_bytes ? m.ram : NULL;
	size_t dirty = m.touched;
	if (ram)
		m.ram = NULL;
	fake_plat_release();
	ck_assert_msg(ram_bytes % 4096 == 0 && ram_bytes > FAKE_RAM_BASE, "bad fake RAM size");
	if (!ram) {
		ram = aligned_alloc(4096, ram_bytes);
		dirty = ram_bytes;
	}
	m.ram = ram;
	ck_assert_msg(m.ram != NULL, "fake platform: no host memory for %zu bytes of RAM", ram_bytes);
	memset(m.ram, FAKE_RAM_POISON, MIN(dirty, ram_bytes));
	m.ram_size = ram_bytes;
	m.range = (struct plat_mem_range){FAKE_RAM_BASE, ram_bytes - FAKE_RAM_BASE};
}

unsigned char *fake_ram(void)
{
	m.touched = m.ram_size; /* the caller may write anywhere */
	return m.ram;
}

size_t fake_ram_size(void)
{
	return m.ram_size;
}

const char *fake_console_output(int stream, size_t *len)
{
	struct buffer *b = &m.out[stream == 2];
	b->data = grow(b->data, &b->cap, b->len + 1, 1);
	b->data[b->len] = 0;
	if (len)
		*len = b->len;
	return b->data;
}

void fake_console_clear(void)
{
	m.out[0].len = m.out[1].len = 0;
}

void fake_console_set_input(const void *buf, size_t len)
{
	m.input = buf;
	m.input_len = len;
	m.input_at = 0;
}

void fake_console_fail(long err)
{
	m.console_err = err;
}

void fake_clock_set(uint64_t ns)
{
	m.clock_ns = ns;
}

void fake_epoch_set(uint64_t ns)
{
	m.epoch_ns = ns;
}

void fake_boot_image_set(const void *image, size_t len)
{
	m.boot_image = image;
	m.boot_len = len;
}

void fake_file_add(const char *path, const void *data, size_t len)
{
	ck_assert_uint_lt(m.nfiles, MAX_FILES);
	m.files[m.nfiles++] = (struct file){path, data, len};
}

static void push_step(const struct step *s)
{
	m.steps = grow(m.steps, &m.steps_cap, m.nsteps + 1, sizeof(*m.steps));
	m.steps[m.nsteps++] = *s;
}

void fake_script_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			 uint64_t a4, uint64_t a5)
{
	push_step(&(struct step){.kind = STEP_SYSCALL, .nr = nr, .args = {a0, a1, a2, a3, a4, a5}});
}

void fake_script_fault(uint64_t rip, uint64_t addr, unsigned access, bool known)
{
	push_step(&(struct step){
		.kind = STEP_FAULT, .rip = rip, .addr = addr, .access = access, .known = known});
}

void fake_script_exception(uint64_t rip, unsigned vector)
{
	push_step(&(struct step){.kind = STEP_EXCEPTION, .rip = rip, .vector = vector});
}

void fake_script_tick(void)
{
	push_step(&(struct step){.kind = STEP_TICK});
}

size_t fake_script_pending(void)
{
	return m.nsteps - m.step_at;
}

size_t fake_run_count(void)
{
	return m.nruns;
}

const struct fake_entry *fake_run_entry(size_t i)
{
	ck_assert_msg(i < m.nruns, "plat_run_user was called %zu times, not %zu", m.nruns, i + 1);
	return &m.runs[i];
}

bool fake_expect_panic(void (*fn)(void *arg), void *arg, const char **msg)
{
	jmp_buf env;
	bool panicked = true;
	m.panic_jmp = &env;
	if (setjmp(env) == 0) {
		fn(arg);
		panicked = false;
	}
	m.panic_jmp = NULL;
	if (msg)
		*msg = m.panic_msg;
	return panicked;
}

/* The platform as the kernel sees it. */

size_t plat_mem_ranges(const struct plat_mem_range **ranges)
{
	*ranges = &m.range;
	return 1;
}

bool plat_mem_take_zeroed(void)
{
	return false; /* the tests' RAM is reused from one kernel to the next */
}

void *plat_phys(uint64_t pa)
{
	if (pa >= m.ram_size)
		plat_panic("plat_phys: physical address outside RAM");
	/* Whoever asks may use the rest of the page; the frame allocator's reference counts,
	 * reached from their first page, span one 4 KiB page per 2048 frames. */
	size_t reach = pa + 4096 + (pa < FAKE_RAM_BASE + 4096 ? m.ram_size / 2048 : 0);
	if (reach > m.touched)
		m.touched = reach;
	return m.ram + pa;
}

uint64_t plat_pa(const void *p)
{
	const unsigned char *b = p;
	if (b < m.ram || b >= m.ram + m.ram_size)
		plat_panic("plat_pa: pointer outside the direct map");
	return (uint64_t)(b - m.ram);
}

int plat_cpu_init(void)
{
	fake_counts.cpu_inits++;
	return 0;
}

/* The slot remembering u's last syscall instruction (a free one if none). */
static uint64_t *syscall_rip_of(const struct uctx *u)
{
	size_t free_slot = MAX_THREADS;
	for (size_t i = 0; i < MAX_THREADS; i++) {
		if (m.last_syscall[i].u == u)
			return &m.last_syscall[i].rip;
		if (!m.last_syscall[i].u && free_slot == MAX_THREADS)
			free_slot = i;
	}
	ck_assert_msg(free_slot < MAX_THREADS, "fake platform: too many threads");
	m.last_syscall[free_slot].u = u;
	m.last_syscall[free_slot].rip = ~0ull;
	return &m.last_syscall[free_slot].rip;
}

static void forget_thread(const struct uctx *u)
{
	for (size_t i = 0; i < MAX_THREADS; i++)
		if (m.last_syscall[i].u == u)
			m.last_syscall[i].u = NULL;
}

void plat_run_user(struct uctx *u, struct trap *trap)
{
	struct regs *r = &u->regs;
	uint64_t *syscall_rip = syscall_rip_of(u);
	bool restart = r->rip == *syscall_rip;
	m.runs = grow(m.runs, &m.runs_cap, m.nruns + 1, sizeof(*m.runs));
	m.runs[m.nruns++] = (struct fake_entry){u->root, u->regs, m.clock_ns, restart};
	memset(trap, 0, sizeof(*trap));
	if (restart) {
		r->rcx = r->rip += SYSCALL_INSN_LEN;
		r->r11 = r->rflags;
		trap->kind = TRAP_SYSCALL;
		return;
	}
	*syscall_rip = ~0ull;
	if (m.step_at == m.nsteps) {
		trap->kind = TRAP_STOP;
		return;
	}
	const struct step *s = &m.steps[m.step_at++];
	switch (s->kind) {
	case STEP_SYSCALL:
		*syscall_rip = r->rip;
		r->rip += SYSCALL_INSN_LEN;
		r->rax = s->nr;
		r->rdi = s->args[0];
		r->rsi = s->args[1];
		r->rdx = s->args[2];
		r->r10 = s->args[3];
		r->r8 = s->args[4];
		r->r9 = s->args[5];
		r->rcx = r->rip; /* as the syscall instruction leaves them */
		r->r11 = r->rflags;
		trap->kind = TRAP_SYSCALL;
		break;
	case STEP_FAULT:
		r->rip = s->rip;
		trap->kind = TRAP_PAGE_FAULT;
		trap->vector = 14;
		trap->fault_addr = s->addr;
		trap->access = s->access;
		trap->access_known = s->known;
		break;
	case STEP_EXCEPTION:
		r->rip = s->rip;
		trap->kind = TRAP_EXCEPTION;
		trap->vector = s->vector;
		break;
	case STEP_TICK:
		trap->kind = TRAP_TICK;
		break;
	}
}

void plat_uctx_save(struct uctx *u)
{
	(void)u;
	fake_counts.uctx_saves++;
}

void plat_uctx_discard(struct uctx *u)
{
	forget_thread(u);
	fake_counts.uctx_discards++;
}

void plat_code_frame_freed(uint64_t pa)
{
	fake_counts.code_frames_freed++;
	fake_counts.last_code_frame_freed = pa;
}

void plat_code_frame_written(uint64_t pa)
{
	fake_counts.code_frames_written++;
	fake_counts.last_code_frame_written = pa;
}

void plat_tlb_flush(uint64_t root, uint64_t va)
{
	fake_counts.tlb_flushes++;
	fake_counts.last_flush_root = root;
	fake_counts.last_flush_va = va;
}

long plat_console_write(int stream, const void *buf, size_t len)
{
	if (m.console_err)
		return m.console_err;
	ck_assert_msg(stream == 1 || stream == 2, "console write to stream %d", stream);
	struct buffer *b = &m.out[stream == 2];
	b->data = grow(b->data, &b->cap, b->len + len + 1, 1);
	memcpy(b->data + b->len, buf, len);
	b->len += len;
	return (long)len;
}

/* The input comes all at once; a stream's then ends (a terminal's never does). */
long plat_console_poll(void *buf, size_t len)
{
	size_t n = m.input_len - m.input_at;
	if (n > len)
		n = len;
	if (n)
		memcpy(buf, m.input + m.input_at, n);
	m.input_at += n;
	return n || m.interactive ? (long)n : -EPIPE;
}

bool plat_console_interactive(void)
{
	return m.interactive;
}

bool plat_console_size(unsigned *rows, unsigned *cols)
{
	if (!m.rows)
		return false;
	*rows = m.rows;
	*cols = m.cols;
	m.rows = 0;
	return true;
}

void fake_console_set_interactive(bool on, unsigned rows, unsigned cols)
{
	m.interactive = on;
	m.rows = rows;
	m.cols = cols;
}

uint64_t plat_clock_ns(void)
{
	return m.clock_ns;
}

uint64_t plat_boot_epoch_ns(void)
{
	return m.epoch_ns;
}

bool plat_devices_pending(void)
{
	return false;
}

void plat_idle_until(uint64_t deadline_ns, bool input)
{
	(void)input;
	fake_counts.idle_calls++;
	fake_counts.last_idle_deadline = deadline_ns;
	if (deadline_ns > m.clock_ns)
		m.clock_ns = deadline_ns;
}

const char plat_name[] = "eclipse-unit";

uint64_t plat_random_seed(void)
{
	return 0x5eed5eed5eedull;
}

void plat_panic(const char *msg)
{
	fake_counts.panics++;
	snprintf(m.panic_msg, sizeof(m.panic_msg), "%s", msg);
	if (m.panic_jmp)
		longjmp(*m.panic_jmp, 1);
	ck_abort_msg("kernel panic: %s", msg);
	abort();
}

int plat_file_open(const char *path, const void **data, size_t *len, uint64_t *id,
		   unsigned *mode)
{
	for (size_t i = 0; i < m.nfiles; i++)
		if (!strcmp(m.files[i].path, path)) {
			*data = m.files[i].data;
			*len = m.files[i].len;
			*id = i + 1;
			*mode = 0755;
			fake_counts.file_opens++;
			return 0;
		}
	return -ENOENT;
}

void plat_file_close(const void *data, size_t len)
{
	(void)data;
	(void)len;
	fake_counts.file_closes++;
}

const void *plat_boot_image(size_t *len)
{
	*len = m.boot_len;
	return m.boot_image;
}

unsigned plat_stop_requests(void)
{
	return 0;
}

void fake_pci_add(unsigned bus, unsigned dev, unsigned fn, const uint32_t config[64],
		  const uint64_t bar_size[6])
{
	ck_assert_msg(m.npci < FAKE_PCI_MAX, "fake platform: too many PCI functions");
	struct fake_pci_fn *f = &m.pci[m.npci++];
	*f = (struct fake_pci_fn){bus, dev, fn, {0}, {0}};
	memcpy(f->config, config, sizeof(f->config));
	if (bar_size)
		memcpy(f->bar_size, bar_size, sizeof(f->bar_size));
}

static struct fake_pci_fn *pci_fn(unsigned bus, unsigned dev, unsigned fn)
{
	for (size_t i = 0; i < m.npci; i++)
		if (m.pci[i].bus == bus && m.pci[i].dev == dev && m.pci[i].fn == fn)
			return &m.pci[i];
	return NULL;
}

const uint32_t *fake_pci_config(unsigned bus, unsigned dev, unsigned fn)
{
	const struct fake_pci_fn *f = pci_fn(bus, dev, fn);
	return f ? f->config : NULL;
}

bool plat_has_i8042(void)
{
	return false; /* the fake machine's bus is PCI's alone */
}

uint32_t plat_pci_read(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	ck_assert_msg(off % 4 == 0 && off < 256, "PCI register %#x", off);
	const struct fake_pci_fn *f = pci_fn(bus, dev, fn);
	return f ? f->config[off / 4] : 0xffffffffu;
}

void plat_pci_write(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t value)
{
	ck_assert_msg(off % 4 == 0 && off < 256, "PCI register %#x", off);
	struct fake_pci_fn *f = pci_fn(bus, dev, fn);
	if (!f)
		return;
	uint32_t *r = &f->config[off / 4];
	if (off == 0x04) {
		*r = (*r & 0xffff0000u) | (value & 0xffffu);
		return;
	}
	if (off < 0x10 || off >= 0x28)
		return;
	unsigned i = (off - 0x10) / 4;
	uint64_t size = f->bar_size[i];
	bool upper = !size && i > 0 && f->bar_size[i - 1] && (f->config[4 + i - 1] & 7) == 4;
	if (upper) { /* the top half of a 64-bit BAR */
		uint64_t below = f->bar_size[i - 1];
		uint32_t mask = (uint32_t)(~(below - 1) >> 32);
		*r = value & mask;
		return;
	}
	if (!size)
		return;
	uint32_t type = *r & 1 ? 3u : 0xfu;
	*r = (value & (uint32_t)~(size - 1) & ~type) | (*r & type);
}

/* The interrupt controller: lines fire when a test says so (fake_irq_fire). */
static struct {
	uint16_t masked, fired;
} fake_irq = {.masked = 0xffff};

void fake_irq_fire(unsigned line)
{
	uint16_t bit = (uint16_t)(1u << line);
	if (line < 16 && !(fake_irq.masked & bit)) {
		fake_irq.masked |= bit;
		fake_irq.fired |= bit;
	}
}

bool fake_irq_masked(unsigned line)
{
	return (fake_irq.masked >> line) & 1;
}

uint32_t plat_irq_take(void)
{
	uint32_t fired = fake_irq.fired;
	fake_irq.fired = 0;
	return fired;
}

void plat_irq_unmask(unsigned line)
{
	if (line < 16)
		fake_irq.masked &= (uint16_t)~(1u << line);
}

void plat_irq_mask(unsigned line)
{
	if (line < 16)
		fake_irq.masked |= (uint16_t)(1u << line);
}
