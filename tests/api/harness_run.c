/*
 * API test harness: running the server binary as a command (import-catalog,
 * export-catalog, seed-demo, ...) and collecting its exit status and output.
 * See harness.h (run_bin).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "harness.h"

extern char **environ;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (f) {
		for (;;) {
			if (len + 4096 + 1 > cap) {
				char *n = realloc(buf, cap = (cap + 4096) * 2);

				if (!n)
					break;
				buf = n;
			}
			size_t got = fread(buf + len, 1, 4096, f);

			len += got;
			if (got == 0)
				break;
		}
		fclose(f);
	}
	if (!buf)
		buf = malloc(1);
	if (!buf)
		fail_at("out of memory");
	buf[len] = '\0';
	return buf;
}

int run_bin(const struct srv *s, const char *const *args, char **out, char **err)
{
	static unsigned seq;
	char opath[PATH_MAX], epath[PATH_MAX];
	const char *argv[64];
	size_t n = 0;
	int status = 0;
	pid_t pid;
	struct timespec start, now;

	seq++;
	snprintf(opath, sizeof(opath), "%s/run%u.out", srv_dir(s), seq);
	snprintf(epath, sizeof(epath), "%s/run%u.err", srv_dir(s), seq);
	argv[n++] = harness_bin();
	for (size_t i = 0; args && args[i] && n < sizeof(argv) / sizeof(argv[0]) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		fail_at("fork: %s", strerror(errno));
	if (pid == 0) {
		for (int guard = 0; guard < 1000; guard++) {
			char name[256];
			char **e = environ;

			while (*e && strncmp(*e, "BANGBAN_", 8) != 0)
				e++;
			if (!*e)
				break;
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(*e, "="), *e);
			if (unsetenv(name) != 0)
				break;
		}
		int fo = open(opath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int fe = open(epath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int fi = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fo < 0 || fe < 0 || fi < 0 || dup2(fi, 0) < 0 || dup2(fo, 1) < 0 ||
		    dup2(fe, 2) < 0)
			_exit(125);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		struct timespec ts = { 0, 20 * 1000000L };

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			fail_at("waitpid: %s", strerror(errno));
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 120) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			fail_at("%s %s: did not finish within 120 s", argv[0], argv[1] ? argv[1] : "");
		}
		nanosleep(&ts, NULL);
	}
	if (out)
		*out = slurp(opath);
	if (err)
		*err = slurp(epath);
	remove(opath);
	remove(epath);
	if (getenv("BB_API_TRACE")) {
		fprintf(stderr, "trace: run");
		for (size_t i = 0; argv[i]; i++)
			fprintf(stderr, " %s", argv[i]);
		fprintf(stderr, " -> status 0x%x\n", (unsigned)status);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
