/*
 * pc_main: the bare-metal kernel's table of contents. It boots /sbin/init from the boot image
 * (the multiboot module) as eclipse-sim does, runs the system until PID 1 ends and exits QEMU
 * with the system's status, computed as eclipse-sim computes its exit code.
 *
 * The kernel command line (after QEMU's kernel path) takes eclipse-sim's runtime options as
 * words: max-time=DURATION (500ms, 10s, 2m...), trace=syscall,sched,all,none, max-procs=N.
 */
#include "pc.h"

#include <kernel/elf.h>
#include <kernel/kernel.h>
#include <kernel/klib.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#define EXIT_RUNTIME 1

void pc_main(uint32_t magic, uint32_t info_pa);

static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* A positive duration, as eclipse-sim's --max-time: a number with ns, us, ms, s (default), m, h. */
static bool parse_duration(const char *s, size_t len, uint64_t *ns)
{
	static const struct {
		const char *suffix;
		uint64_t ns;
	} units[] = {{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000ull}, {"", 1000000000ull},
		     {"m", 60000000000ull}, {"h", 3600000000000ull}};
	size_t digits = 0;
	while (digits < len && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	uint64_t v;
	if (!parse_u64(s, digits, &v) || v == 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (kstrlen(units[i].suffix) == len - digits &&
		    !kstrncmp(s + digits, units[i].suffix, len - digits) && v <= UINT64_MAX / units[i].ns) {
			*ns = v * units[i].ns;
			return true;
		}
	return false;
}

static bool parse_trace(const char *s, size_t len, unsigned *mask)
{
	*mask = 0;
	while (len) {
		size_t n = 0;
		while (n < len && s[n] != ',')
			n++;
		if (n == 7 && !kstrncmp(s, "syscall", n))
			*mask |= TRACE_SYSCALL;
		else if (n == 5 && !kstrncmp(s, "sched", n))
			*mask |= TRACE_SCHED;
		else if (n == 3 && !kstrncmp(s, "all", n))
			*mask |= TRACE_SYSCALL | TRACE_SCHED;
		else if (n != 4 || kstrncmp(s, "none", n))
			return false;
		s += n + (n < len);
		len -= n + (n < len);
	}
	return true;
}

static bool word_is(const char *word, size_t keylen, const char *key)
{
	return kstrlen(key) == keylen && !kstrncmp(word, key, keylen);
}

/* Reads the key=value words of the command line; a bad one is reported and left out. */
static void parse_cmdline(const char *s, struct kernel_config *cfg)
{
	while (*s) {
		while (*s == ' ')
			s++;
		const char *word = s, *eq = NULL;
		while (*s && *s != ' ') {
			if (*s == '=' && !eq)
				eq = s;
			s++;
		}
		if (!eq)
			continue; /* QEMU puts the kernel's path first */
		size_t keylen = (size_t)(eq - word), vlen = (size_t)(s - eq - 1);
		const char *v = eq + 1;
		uint64_t n;
		bool ok = false;
		if (word_is(word, keylen, "max-time"))
			ok = parse_duration(v, vlen, &cfg->max_time_ns);
		else if (word_is(word, keylen, "trace"))
			ok = parse_trace(v, vlen, &cfg->trace);
		else if (word_is(word, keylen, "max-procs") && parse_u64(v, vlen, &n) && n > 0 &&
			 n <= PROC_LIMIT_MAX) {
			cfg->max_procs = (unsigned)n;
			ok = true;
		}
		if (!ok)
			kprintf(2, "eclipse-pc: ignoring kernel argument '%.*s'\n", (int)(s - word), word);
	}
}

/* Boots /sbin/init and runs the system; the status eclipse-sim would exit with. */
static unsigned run_system(const struct kernel_config *cfg)
{
	static const char *const init_argv[] = {"/sbin/init", NULL};
	static const char *const init_envp[] = {"PATH=/sbin:/bin", "HOME=/", NULL};
	if (kernel_init(cfg)) {
		kprintf(2, "eclipse-pc: the machine could not be brought up\n");
		return EXIT_RUNTIME;
	}
	int elf_err = ELF_OK;
	int pid = kernel_spawn_file(init_argv[0], init_argv, init_envp, &elf_err);
	if (pid < 0) {
		if (elf_err != ELF_OK)
			kprintf(2, "eclipse-pc: %s: %s [%s]\n", init_argv[0], elf_strerror(elf_err),
				elf_error_name(elf_err));
		else
			kprintf(2, "eclipse-pc: %s: cannot start: error %d\n", init_argv[0], -pid);
		return EXIT_RUNTIME;
	}
	int status = kernel_run();
	if (status == -EINTR)
		return 128 + SIGINT;
	if (status < 0)
		return EXIT_RUNTIME;
	if ((status & 0x7f) == 0)
		return (unsigned)(status >> 8) & 0xff;
	return 128 + (unsigned)(status & 0x7f);
}

void pc_main(uint32_t magic, uint32_t info_pa)
{
	static char cmdline[256];
	struct kernel_config cfg = {.max_procs = PROC_LIMIT_DEFAULT};
	pc_serial_init();
	if (pc_multiboot_init(magic, info_pa, cmdline, sizeof(cmdline)))
		kpanic("not booted by a multiboot loader with a memory map (magic %#x)", magic);
	parse_cmdline(cmdline, &cfg);
	pc_cpu_init();
	pc_timer_init();
	pc_exit(run_system(&cfg));
}
