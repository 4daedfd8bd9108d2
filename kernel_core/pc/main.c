/*
 * pc_main: the bare-metal kernel's table of contents. It boots /sbin/init from the boot image
 * (the multiboot module) as eclipse-sim does, runs the system until PID 1 ends and exits QEMU
 * with the system's status, computed as eclipse-sim computes its exit code.
 *
 * The kernel command line (after QEMU's kernel path) takes eclipse-sim's runtime options as
 * words: max-time=DURATION (1.5s, 500ms, 2m...), trace=syscall,sched,all,none, max-procs=N.
 * Other words without '=' go to init as its arguments, as Linux passes them: "shell" boots to
 * a shell on the console.
 */
#include "pc.h"

#include <ecl/duration.h>
#include <kernel/core.h>
#include <kernel/klib.h>
#include <uapi/eclipse.h>
#include <uapi/linux.h>

#define EXIT_RUNTIME 1

const char plat_name[] = "eclipse-pc";

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

#define INIT_WORDS_MAX 4
#define INIT_WORD_LEN 32

/* The words of the command line for init (see above). */
static char init_words[INIT_WORDS_MAX][INIT_WORD_LEN];
static unsigned ninit_words;

/* Keeps word (len bytes) for init, unless it is a path (QEMU puts the kernel's path first). */
static void init_word(const char *word, size_t len)
{
	if (!len)
		return; /* trailing blanks */
	for (size_t i = 0; i < len; i++)
		if (word[i] == '/')
			return;
	if (len >= INIT_WORD_LEN || ninit_words == INIT_WORDS_MAX) {
		kprintf(2, "eclipse-pc: ignoring kernel argument '%.*s'\n", (int)len, word);
		return;
	}
	kmemcpy(init_words[ninit_words], word, len);
	init_words[ninit_words++][len] = 0;
}

/* Reads the words of the command line; a bad one is reported and left out. */
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
		if (!eq) {
			init_word(word, (size_t)(s - word));
			continue;
		}
		size_t keylen = (size_t)(eq - word), vlen = (size_t)(s - eq - 1);
		const char *v = eq + 1;
		uint64_t n;
		bool ok = false;
		if (word_is(word, keylen, "max-time"))
			ok = !duration_parse_ns(v, vlen, &cfg->max_time_ns) && cfg->max_time_ns;
		else if (word_is(word, keylen, "trace"))
			ok = parse_trace(v, vlen, &cfg->trace);
		else if (word_is(word, keylen, "max-procs") && parse_u64(v, vlen, &n) && n > 0 &&
			 n <= CORE_THREADS_MAX) {
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
	const char *init_argv[INIT_WORDS_MAX + 2] = {"/sbin/init"};
	for (unsigned i = 0; i < ninit_words; i++)
		init_argv[i + 1] = init_words[i];
	/* COM1 goes to a terminal emulator (QEMU's -serial stdio, or a real one). */
	static const char *const init_envp[] = {"PATH=/sbin:/bin", "HOME=/", "TERM=vt100", NULL};
	if (kernel_init(cfg)) {
		kprintf(2, "eclipse-pc: the machine could not be brought up\n");
		return EXIT_RUNTIME;
	}
	int elf_err = 0;
	int pid = kernel_spawn_file(init_argv[0], init_argv, init_envp, &elf_err);
	if (pid < 0) {
		if (elf_err)
			kprintf(2, "eclipse-pc: %s: %s [%s]\n", init_argv[0], core_elf_strerror(elf_err),
				core_elf_error_name(elf_err));
		else
			kprintf(2, "eclipse-pc: %s: cannot start: %s\n", init_argv[0], strerror(-pid));
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
	struct kernel_config cfg = {.max_procs = CORE_THREADS_DEFAULT};
	pc_serial_init();
	if (pc_multiboot_init(magic, info_pa, cmdline, sizeof(cmdline)))
		kpanic("not booted by a multiboot loader with a memory map (magic %#x)", magic);
	parse_cmdline(cmdline, &cfg);
	pc_cpu_init();
	pc_timer_init();
	pc_exit(run_system(&cfg));
}
