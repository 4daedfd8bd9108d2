/*
 * init's services.conf parser (init/config.c, a guest program's code) built for the host, its
 * dprintf renamed to fuzz_dprintf (CMakeLists.txt). Whatever the text, config_parse must
 * return, report a count of errors, and hand init only entries it can use: valid unique names,
 * absolute binary paths, arguments, policies and durations in range, essential services first.
 * Parsing the same text twice gives the same configuration.
 */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define DURATION_MAX_MS (366LL * 24 * 3600 * 1000)
#define LIMIT_MAX 1000

int fuzz_dprintf(int fd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	(void)fd;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static bool valid_name(const char *s)
{
	size_t n = strnlen(s, SERVICE_NAME_MAX);
	if (n == 0 || n >= SERVICE_NAME_MAX)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

static bool duration_ok(long long ms)
{
	return ms >= 0 && ms <= DURATION_MAX_MS;
}

static void check_args(const struct service_config *s)
{
	FUZZ_CHECK(s->nargs >= 0 && s->nargs <= SERVICE_ARGS_MAX, "'%s': %d arguments", s->name,
		   s->nargs);
	size_t at = 0;
	for (int i = 0; i < s->nargs; i++) {
		FUZZ_CHECK(at < SERVICE_ARGS_LEN, "'%s': argument %d starts past the buffer", s->name, i);
		size_t n = strnlen(s->args + at, SERVICE_ARGS_LEN - at);
		FUZZ_CHECK(at + n < SERVICE_ARGS_LEN, "'%s': argument %d has no NUL", s->name, i);
		FUZZ_CHECK(n > 0 && !strpbrk(s->args + at, " \t\r\n"), "'%s': argument %d is '%s'",
			   s->name, i, s->args + at);
		at += n + 1;
	}
}

static void check_config(const struct init_config *cfg)
{
	FUZZ_CHECK(cfg->heartbeat_ms > 0 && duration_ok(cfg->heartbeat_ms), "heartbeat %lld",
		   cfg->heartbeat_ms);
	FUZZ_CHECK(cfg->grace_ms > 0 && duration_ok(cfg->grace_ms), "grace %lld", cfg->grace_ms);
	FUZZ_CHECK(cfg->count >= 0 && cfg->count <= SERVICES_MAX, "%d services", cfg->count);
	for (int i = 0; i < cfg->count; i++) {
		const struct service_config *s = &cfg->services[i];
		FUZZ_CHECK(valid_name(s->name), "service %d has the name '%.*s'", i, SERVICE_NAME_MAX,
			   s->name);
		for (int j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(cfg->services[j].name, s->name), "'%s' twice", s->name);
		size_t n = strnlen(s->binary, SERVICE_PATH_MAX);
		FUZZ_CHECK(n < SERVICE_PATH_MAX && s->binary[0] == '/' && !strpbrk(s->binary, " \t\n"),
			   "'%s': binary '%.*s'", s->name, SERVICE_PATH_MAX, s->binary);
		check_args(s);
		FUZZ_CHECK(s->phase == PHASE_ESSENTIAL || s->phase == PHASE_SYSTEM, "'%s': phase %d",
			   s->name, s->phase);
		FUZZ_CHECK(s->restart == RESTART_ALWAYS || s->restart == RESTART_ON_FAILURE ||
				   s->restart == RESTART_NEVER,
			   "'%s': restart %d", s->name, s->restart);
		FUZZ_CHECK(s->limit >= 0 && s->limit <= LIMIT_MAX, "'%s': limit %d", s->name, s->limit);
		FUZZ_CHECK(duration_ok(s->backoff_ms) && duration_ok(s->backoff_max_ms) &&
				   duration_ok(s->stable_ms),
			   "'%s': backoff %lld, backoff-max %lld, stable %lld", s->name, s->backoff_ms,
			   s->backoff_max_ms, s->stable_ms);
		FUZZ_CHECK(s->line >= 1, "'%s': line %d", s->name, s->line);
		FUZZ_CHECK(i == 0 || cfg->services[i - 1].phase <= s->phase,
			   "system service '%s' before essential '%s'", cfg->services[i - 1].name,
			   s->name);
	}
}

/* Parses a NUL-terminated copy of the input into *cfg; returns the error count. */
static int parse(const uint8_t *data, size_t size, struct init_config *cfg)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	memset(cfg, 0xa5, sizeof(*cfg)); /* what the parser leaves unset shows */
	int errors = config_parse("fuzz.conf", text, cfg);
	free(text);
	return errors;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct init_config cfg, again;
	int errors = parse(data, size, &cfg);
	FUZZ_CHECK(errors >= 0, "%d errors", errors);
	check_config(&cfg);
	FUZZ_CHECK(parse(data, size, &again) == errors, "a second parse counts other errors");
	FUZZ_CHECK(again.count == cfg.count && again.heartbeat_ms == cfg.heartbeat_ms &&
			   again.grace_ms == cfg.grace_ms &&
			   !memcmp(again.services, cfg.services, sizeof(cfg.services[0]) * (size_t)cfg.count),
		   "a second parse gives another configuration");
	return 0;
}
