/*
 * API test harness: the server process (temp dir, seed, spawn, health wait,
 * SIGTERM) and the server-lifetime cmocka fixtures. HTTP clients live in
 * harness_http.c, JSON helpers and checks in harness_check.c. See harness.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <cmocka.h>
#include <curl/curl.h>

#include "harness.h"
#include "harness_int.h"

struct srv {
	pid_t pid;
	char dir[PATH_MAX - 64];
	char db[PATH_MAX];
	char log[PATH_MAX];
	char base[64];
	int second;	/* srv_second(): shares the first one's dir, which it must not remove */
	/* PostgreSQL runs (BB_PG_URL set when srv_start ran): the database's URL (else ""), its
	 * name, the cluster's admin URL, and the PII key file next to the log. */
	char pgurl[1024];
	char pgname[64];
	char pgadmin[1024];
	char key[PATH_MAX];
};

static const char *server_bin;
extern char **environ;

int harness_init(int argc, char **argv)
{
	if (argc < 2 || !argv[1][0]) {
		fprintf(stderr, "usage: %s <path to bangban binary>\n", argc ? argv[0] : "test");
		return -1;
	}
	server_bin = argv[1];
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "curl_global_init failed\n");
		return -1;
	}
	return 0;
}

void harness_done(void)
{
	curl_global_cleanup();
}

const char *harness_bin(void)
{
	return server_bin;
}

const char *srv_dir(const struct srv *s)
{
	return s->dir;
}

const char *srv_base(const struct srv *s)
{
	return s->base;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints the last 6 KiB of the server log to stderr. */
static void print_log_tail(const struct srv *s)
{
	char buf[6144];
	size_t n;
	FILE *f = fopen(s->log, "rb");

	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) == 0) {
		long size = ftell(f);

		if (size > (long)sizeof(buf))
			(void)fseek(f, size - (long)sizeof(buf), SEEK_SET);
		else
			rewind(f);
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	fprintf(stderr, "---- server log (%s), tail ----\n%.*s\n---- end of log ----\n",
		s->log, (int)n, buf);
}

/* fork + execv of server_bin with args, stdout/stderr appended to s->log.
 * Returns the child pid, or -1. */
static pid_t spawn(const struct srv *s, char *const args[])
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid != 0)
		return pid;
#ifdef __linux__
	/* Do not outlive a test program killed by a ctest timeout. */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(126);
#else
	(void)parent;
#endif
	/* Hermetic: no BANGBAN_* settings from the developer's environment. */
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
	int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(125);
	execv(server_bin, args);
	_exit(127);
}

/* Waits up to timeout seconds for pid; returns 1 and sets *status when it exited. */
static int wait_exit(pid_t pid, double timeout, int *status)
{
	double end = now_s() + timeout;

	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);

		if (w == pid)
			return 1;
		if (w < 0 && errno != EINTR)
			return 1;
		if (now_s() > end)
			return 0;
		sleep_ms(20);
	}
}

static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int port = -1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = 0;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static long healthz(const struct srv *s)
{
	char url[96];
	long code = 0;
	CURL *h = curl_easy_init();

	if (!h)
		return 0;
	snprintf(url, sizeof(url), "%s/healthz", s->base);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 2000L);
	curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_cb);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	return code;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_dir(const struct srv *s)
{
	if (getenv("BB_API_KEEP")) {
		fprintf(stderr, "harness: keeping %s\n", s->dir);
		return;
	}
	if (nftw(s->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "harness: could not remove %s: %s\n", s->dir, strerror(errno));
}

const char *harness_pg(void)
{
	const char *u = getenv("BB_PG_URL");

	return u && u[0] ? u : NULL;
}

const char *srv_pg_url(const struct srv *s)
{
	return s->pgurl[0] ? s->pgurl : NULL;
}

const char *srv_key_file(const struct srv *s)
{
	return s->pgurl[0] ? s->key : NULL;
}

/* psql: PostgreSQL 15's own, else the one on PATH. */
static const char *psql_bin(void)
{
	static const char pg15[] = "/usr/lib/postgresql/15/bin/psql";

	return access(pg15, X_OK) == 0 ? pg15 : "psql";
}

int harness_psql(const struct srv *s, const char *url, const char *sql)
{
	char *args[] = { (char *)psql_bin(), (char *)"-X", (char *)"-q", (char *)"-v",
			 (char *)"ON_ERROR_STOP=1", (char *)"-d", (char *)url, (char *)"-c",
			 (char *)sql, NULL };
	int status = 0;
	pid_t parent = getpid();
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "harness: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int fd = s ? open(s->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : 2;
		int fi = open("/dev/null", O_RDONLY | O_CLOEXEC);

#ifdef __linux__
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(126);
#else
		(void)parent;
#endif
		if (fd < 0 || fi < 0 || dup2(fi, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(125);
		execvp(args[0], args);
		_exit(127);
	}
	if (!wait_exit(pid, 60.0, &status)) {
		kill(pid, SIGKILL);
		(void)waitpid(pid, &status, 0);
		fprintf(stderr, "harness: psql -c \"%s\" did not finish in 60 s\n", sql);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "harness: psql -c \"%s\" failed (status 0x%x)%s%s\n", sql,
			(unsigned)status, s ? ", see " : "", s ? s->log : "");
		return -1;
	}
	return 0;
}

/* admin's URL with its database replaced by name (query string kept) into out. */
static int pg_db_url(const char *admin, const char *name, char *out, size_t size)
{
	const char *host = strstr(admin, "://");
	const char *slash, *query;
	size_t keep;

	if (!host)
		return -1;
	host += 3;
	query = strchr(host, '?');
	slash = strchr(host, '/');
	if (slash && query && slash > query)
		slash = NULL;
	keep = (size_t)((slash ? slash : query ? query : host + strlen(host)) - admin);
	if ((size_t)snprintf(out, size, "%.*s/%s%s", (int)keep, admin, name, query ? query : "") >=
	    size)
		return -1;
	return 0;
}

/* With BB_PG_URL: a fresh database bbt_<pid>_<n> for s (a leftover of that name, from a dead
 * process that had this pid, is dropped first). Nothing without it. */
static int pg_create(struct srv *s)
{
	static unsigned seq;
	const char *admin = harness_pg();
	char sql[256];

	if (!admin)
		return 0;
	if (strlen(admin) >= sizeof(s->pgadmin)) {
		fprintf(stderr, "harness: BB_PG_URL too long\n");
		return -1;
	}
	snprintf(s->pgadmin, sizeof(s->pgadmin), "%s", admin);
	snprintf(s->pgname, sizeof(s->pgname), "bbt_%ld_%u", (long)getpid(), ++seq);
	snprintf(s->key, sizeof(s->key), "%s/t.key", s->dir);
	if (pg_db_url(admin, s->pgname, s->pgurl, sizeof(s->pgurl))) {
		fprintf(stderr, "harness: cannot make a database URL from BB_PG_URL %s\n", admin);
		s->pgurl[0] = '\0';
		return -1;
	}
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", s->pgname);
	if (harness_psql(s, admin, sql))
		goto fail;
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", s->pgname);
	if (harness_psql(s, admin, sql))
		goto fail;
	return 0;
fail:
	s->pgurl[0] = '\0';
	s->pgname[0] = '\0';
	return -1;
}

/* Drops s's database (WITH (FORCE): a node left running does not block it). 0 when there was
 * none or it is gone. BB_API_KEEP keeps it. */
static int pg_drop(struct srv *s)
{
	char sql[256];

	if (!s->pgname[0])
		return 0;
	if (getenv("BB_API_KEEP")) {
		fprintf(stderr, "harness: keeping database %s\n", s->pgurl);
		return 0;
	}
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", s->pgname);
	if (harness_psql(s, s->pgadmin, sql))
		return -1;
	s->pgname[0] = '\0';
	return 0;
}

/* Runs `bin seed-demo --db <db>` (PostgreSQL: `--pg <url> --key-file <key>`) and waits for
 * exit status 0. */
static int seed(struct srv *s)
{
	char *args[] = { (char *)server_bin, (char *)"seed-demo", (char *)"--db", s->db, NULL };
	char *pg_args[] = { (char *)server_bin, (char *)"seed-demo", (char *)"--pg", s->pgurl,
			    (char *)"--key-file", s->key, NULL };
	int status = 0;
	pid_t pid = spawn(s, s->pgurl[0] ? pg_args : args);

	if (pid < 0) {
		fprintf(stderr, "harness: fork: %s\n", strerror(errno));
		return -1;
	}
	if (!wait_exit(pid, 120.0, &status)) {
		kill(pid, SIGKILL);
		(void)waitpid(pid, &status, 0);
		fprintf(stderr, "harness: seed-demo did not finish in 120 s\n");
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "harness: seed-demo failed (status 0x%x)\n", (unsigned)status);
		return -1;
	}
	return 0;
}

/* Starts `serve` on a free port and waits for /healthz. 0 when up, 1 when the
 * server exited early (worth a retry), -1 otherwise (s->pid may still run). */
static int serve(struct srv *s, const char *const *extra)
{
	char listen[40];
	char *args[32];
	size_t n = 0;
	int port = free_port();
	int status = 0;
	double end;

	if (port <= 0) {
		fprintf(stderr, "harness: no free port\n");
		return -1;
	}
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", port);
	args[n++] = (char *)server_bin;
	args[n++] = (char *)"serve";
	if (s->pgurl[0]) {
		args[n++] = (char *)"--pg";
		args[n++] = s->pgurl;
		args[n++] = (char *)"--key-file";
		args[n++] = s->key;
	} else {
		args[n++] = (char *)"--db";
		args[n++] = s->db;
	}
	args[n++] = (char *)"--listen";
	args[n++] = listen;
	args[n++] = (char *)"--threads";
	args[n++] = (char *)"4";
	for (size_t i = 0; extra && extra[i] && n < sizeof(args) / sizeof(args[0]) - 1; i++)
		args[n++] = (char *)extra[i];
	args[n] = NULL;

	s->pid = spawn(s, args);
	if (s->pid < 0) {
		fprintf(stderr, "harness: fork: %s\n", strerror(errno));
		return -1;
	}
	end = now_s() + 20.0;
	while (now_s() < end) {
		if (healthz(s) == 200)
			return 0;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			fprintf(stderr, "harness: server exited early (status 0x%x)\n", (unsigned)status);
			s->pid = -1;
			return 1;
		}
		sleep_ms(50);
	}
	fprintf(stderr, "harness: GET /healthz never returned 200 within 20 s\n");
	return -1;
}

struct srv *srv_start(void)
{
	return srv_start_args(NULL);
}

struct srv *srv_start_args(const char *const *extra)
{
	const char *tmp = getenv("TMPDIR");
	struct srv *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		fprintf(stderr, "harness: out of memory\n");
		return NULL;
	}
	s->pid = -1;
	if (!tmp || !tmp[0] || strlen(tmp) > sizeof(s->dir) - 16)
		tmp = "/tmp";
	snprintf(s->dir, sizeof(s->dir), "%s/bb-api-XXXXXX", tmp);
	if (!mkdtemp(s->dir)) {
		fprintf(stderr, "harness: mkdtemp %s: %s\n", s->dir, strerror(errno));
		free(s);
		return NULL;
	}
	snprintf(s->db, sizeof(s->db), "%s/t.db", s->dir);
	snprintf(s->log, sizeof(s->log), "%s/server.log", s->dir);
	rc = pg_create(s);
	if (rc)
		goto out;
	rc = seed(s);
	if (rc)
		goto out;
	/* The port may be taken between free_port() and the server's bind: retry. */
	for (int attempt = 0; attempt < 3; attempt++) {
		rc = serve(s, extra);
		if (rc != 1)
			break;
		fprintf(stderr, "harness: retrying on another port\n");
	}
out:
	if (rc) {
		print_log_tail(s);
		if (s->pid > 0) {
			int status;

			kill(s->pid, SIGKILL);
			(void)waitpid(s->pid, &status, 0);
		}
		pg_drop(s);
		remove_dir(s);
		free(s);
		return NULL;
	}
	return s;
}

/* SIGTERM to the server and its exit status checked (0 wanted); s->pid becomes -1.
 * 0 iff it exited with status 0. */
static int stop_server(struct srv *s)
{
	int status = 0;
	int rc = 0;

	if (s->pid <= 0) {	/* never kill(-1 or 0, ...) */
		fprintf(stderr, "harness: no server process to stop\n");
		return -1;
	}
	if (kill(s->pid, SIGTERM) != 0) {
		fprintf(stderr, "harness: server (pid %d) already gone before SIGTERM\n", (int)s->pid);
		rc = -1;
		goto out;
	}
	if (!wait_exit(s->pid, 15.0, &status)) {
		fprintf(stderr, "harness: server did not exit within 15 s of SIGTERM\n");
		kill(s->pid, SIGKILL);
		(void)waitpid(s->pid, &status, 0);
		rc = -1;
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFSIGNALED(status))
			fprintf(stderr, "harness: server died of signal %d after SIGTERM\n",
				WTERMSIG(status));
		else
			fprintf(stderr, "harness: server exited %d after SIGTERM, want 0\n",
				WEXITSTATUS(status));
		rc = -1;
	}
out:
	s->pid = -1;
	return rc;
}

int srv_stop(struct srv *s)
{
	int rc;

	if (!s)
		return -1;
	rc = stop_server(s);
	if (rc || getenv("BB_API_LOG"))
		print_log_tail(s);
	if (!s->second) {
		if (pg_drop(s))
			rc = -1;
		remove_dir(s);
	}
	free(s);
	return rc;
}

int srv_restart_args(struct srv *s, const char *const *extra)
{
	int rc;

	if (!s)
		return -1;
	rc = stop_server(s);
	if (rc) {
		print_log_tail(s);
		harness_note_failure();
	}
	for (int attempt = 0; attempt < 3; attempt++) {
		int up = serve(s, extra);

		if (up == 0)
			return rc;
		if (up < 0) {
			print_log_tail(s);
			if (s->pid > 0) {
				int status;

				kill(s->pid, SIGKILL);
				(void)waitpid(s->pid, &status, 0);
				s->pid = -1;
			}
			return -1;
		}
		fprintf(stderr, "harness: retrying on another port\n");
	}
	print_log_tail(s);
	return -1;
}

struct srv *srv_second(const struct srv *first, const char *const *extra)
{
	struct srv *s = calloc(1, sizeof(*s));

	if (!s) {
		fprintf(stderr, "harness: out of memory\n");
		return NULL;
	}
	*s = *first;
	s->pid = -1;
	s->second = 1;
	snprintf(s->log, sizeof(s->log), "%s/server2.log", first->dir);
	for (int attempt = 0; attempt < 3; attempt++) {
		int up = serve(s, extra);

		if (up == 0)
			return s;
		if (up < 0)
			break;
	}
	print_log_tail(s);
	if (s->pid > 0) {
		int status;

		kill(s->pid, SIGKILL);
		(void)waitpid(s->pid, &status, 0);
	}
	free(s);
	return NULL;
}

int srv_group_setup(void **state)
{
	struct srv *s = srv_start();

	*state = s;
	return s ? 0 : -1;
}

int srv_group_teardown(void **state)
{
	int rc = srv_stop(*state);

	*state = NULL;
	if (rc)
		harness_note_failure();
	return rc;
}

static int outside_failures;

void harness_note_failure(void)
{
	outside_failures++;
}

int harness_failures(void)
{
	return outside_failures;
}
