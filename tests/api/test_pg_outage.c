/*
 * API test on PostgreSQL only (BB_PG_URL; without it: a skip that passes): the database goes
 * away under write load and comes back. On a private cluster (scripts/pg.sh start in a temp dir,
 * never the shared one): three signed-in staff browsers write (two file complaints through
 * POST /api/v1/complaints, one takes tickets through POST /api/v1/tickets) while the test stops
 * PostgreSQL (pg_ctl stop -m fast), keeps it down five seconds and starts it again on the same
 * port. During the outage every request gets 503 with error code "unavailable" (never 500, never
 * slower than 10 s); afterwards the node answers 2xx again by itself; every write answered 2xx
 * (before, during or after) is there afterwards. While the database is down, `serve` refuses to
 * start: exit 1 with a one-line error.
 * Usage: api_test_pg_outage <path to bangban> <data/catalog dir> <scripts/pg.sh>
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
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
#include <cmocka.h>

#include "front_util.h"
#include "harness_int.h"

#define PGBIN "/usr/lib/postgresql/15/bin"
#define NLOAD 3
#define MAXREC 4000
#define DOWN_S 5.0
#define SLOW_S 10.0
#define RECOVER_S 30.0

static const char *pg_sh;
static char pg_dir[PATH_MAX / 2];	/* the private cluster (pg.sh start/stop) */
static char pg_url[512];
static struct srv *server;
static struct client *admin;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Runs argv (as the postgres user via runuser when root: the cluster's owner), stdout to
 * /dev/null; the exit status, or -1. */
static int run_cmd(const char *const *argv, int as_owner)
{
	const char *full[32];
	size_t n = 0;
	int status = 0;
	pid_t pid;

	if (as_owner && geteuid() == 0) {
		full[n++] = "runuser";
		full[n++] = "-u";
		full[n++] = "postgres";
		full[n++] = "--";
	}
	for (size_t i = 0; argv[i] && n < 31; i++)
		full[n++] = argv[i];
	full[n] = NULL;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
			_exit(125);
		execvp(full[0], (char *const *)full);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* pg_dir/name with its links resolved: pg.sh links data and server.log into a dir the postgres
 * user owns, and that user may not be able to enter pg_dir itself (a 0700 temp dir). */
static void cluster_path(const char *name, char out[PATH_MAX])
{
	char link[PATH_MAX];

	snprintf(link, sizeof link, "%s/%s", pg_dir, name);
	if (!realpath(link, out))
		snprintf(out, PATH_MAX, "%s", link);
}

/* pg_ctl stop -m fast on the private cluster. */
static int pg_down(void)
{
	char data[PATH_MAX];
	const char *argv[] = { PGBIN "/pg_ctl", "-D", data, "-m", "fast", "-w", "-t", "60", "stop",
			       NULL };

	cluster_path("data", data);
	return run_cmd(argv, 1);
}

/* Starts it again with the options it ran with (postmaster.opts: same port), saved by pg_up_prepare. */
static char pg_opts[2048];

static int pg_up_prepare(void)
{
	char path[PATH_MAX];
	FILE *f;
	char *sp;

	snprintf(path, sizeof path, "%s/data/postmaster.opts", pg_dir);
	f = fopen(path, "r");
	if (!f || !fgets(pg_opts, sizeof pg_opts, f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	pg_opts[strcspn(pg_opts, "\n")] = '\0';
	sp = strchr(pg_opts, ' ');	/* drop the postgres binary: pg_ctl adds it */
	if (!sp)
		return -1;
	memmove(pg_opts, sp + 1, strlen(sp + 1) + 1);
	return 0;
}

static int pg_up(void)
{
	char data[PATH_MAX], log[PATH_MAX];
	const char *argv[] = { PGBIN "/pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "-o",
			       pg_opts, "start", NULL };

	cluster_path("data", data);
	cluster_path("server.log", log);
	return run_cmd(argv, 1);
}

/* scripts/pg.sh start <new temp dir>: its URL into pg_url. */
static int cluster_start(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[PATH_MAX * 2];
	FILE *p;

	if (!tmp || !tmp[0] || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(pg_dir, sizeof pg_dir, "%s/bb-pgout-XXXXXX", tmp);
	if (!mkdtemp(pg_dir)) {
		fprintf(stderr, "mkdtemp %s: %s\n", pg_dir, strerror(errno));
		return -1;
	}
	snprintf(cmd, sizeof cmd, "sh '%s' start '%s'", pg_sh, pg_dir);
	fflush(stdout);
	p = popen(cmd, "r");
	if (!p || !fgets(pg_url, sizeof pg_url, p)) {
		if (p)
			pclose(p);
		fprintf(stderr, "%s: no URL\n", cmd);
		return -1;
	}
	if (pclose(p) != 0) {
		fprintf(stderr, "%s failed\n", cmd);
		return -1;
	}
	pg_url[strcspn(pg_url, "\r\n")] = '\0';
	return strncmp(pg_url, "postgres", 8) == 0 ? 0 : -1;
}

static void cluster_stop(void)
{
	const char *argv[] = { "sh", pg_sh, "stop", pg_dir, NULL };

	if (pg_dir[0] && run_cmd(argv, 0) != 0)
		fprintf(stderr, "pg.sh stop %s failed\n", pg_dir);
	pg_dir[0] = '\0'; /* once: teardown, then again at exit */
}

static int setup(void **state)
{
	if (cluster_start())
		return -1;
	/* this program's servers use the private cluster */
	setenv("BB_PG_URL", pg_url, 1);
	server = srv_start();
	*state = server;
	if (!server)
		return -1;
	admin = as(server, "admin");
	cases_load_sites(admin);
	return 0;
}

static int teardown(void **state)
{
	int rc = 0;

	client_free(admin);
	if (server && srv_stop(server) != 0) {
		harness_note_failure();
		rc = -1;
	}
	*state = NULL;
	cluster_stop();
	return rc;
}

/* One request a load thread made. */
struct rec {
	double t0, t1;
	long status;
	long long id;	/* of what a 201 created */
	char code[24];
	char body[160];	/* the start of an unexpected answer */
};

struct loader {
	pthread_t th;
	struct client *c;
	int tickets;	/* 1: POST /api/v1/tickets, 0: POST /api/v1/complaints */
	struct rec *rec;
	int n;
	atomic_int *stop;
	atomic_int ok_streak;	/* 2xx in a row, as of the last request */
};

static void *load_run(void *arg)
{
	struct loader *k = arg;
	char body[256];

	while (!atomic_load(k->stop) && k->n < MAXREC) {
		struct rec *e = &k->rec[k->n];
		struct resp r;

		if (k->tickets)
			snprintf(body, sizeof body, "{\"site_id\":%lld,\"kind\":\"general\"}",
				 site_city);
		else
			snprintf(body, sizeof body, "{\"site_id\":%lld,\"name\":\"苏和\",\"phone\":"
				 "\"13812345678\",\"description\":\"停库测试 %d\"}", site_city, k->n);
		e->t0 = now_s();
		req(k->c, "POST", k->tickets ? "/api/v1/tickets" : "/api/v1/complaints", body, NULL,
		    &r);
		e->t1 = now_s();
		e->status = r.status;
		if (r.status == 201 && r.json)
			e->id = json_integer_value(json_object_get(r.json, "id"));
		snprintf(e->code, sizeof e->code, "%s",
			 r.status >= 400 && resp_err_code(&r) ? resp_err_code(&r) : "");
		if (r.status != 201 && !(r.status == 503 && !strcmp(e->code, "unavailable")))
			snprintf(e->body, sizeof e->body, "%s", r.body ? r.body : "");
		resp_free(&r);
		k->n++;
		if (e->status >= 200 && e->status < 300)
			atomic_fetch_add(&k->ok_streak, 1);
		else
			atomic_store(&k->ok_streak, 0);
		sleep_s(e->status == 201 ? 0.05 : 0.1);
	}
	return NULL;
}

static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int port = -1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* With the database down: `serve` exits 1 with one line on stderr. */
static void serve_refused(void)
{
	char listen[40];
	const char *args[] = { "serve", "--pg", srv_pg_url(server), "--key-file",
			       srv_key_file(server), "--listen", listen, NULL };
	char *err = NULL;
	double t0 = now_s();
	int st, lines = 0;
	const char *own;

	snprintf(listen, sizeof listen, "127.0.0.1:%d", free_port());
	st = run_bin(server, args, NULL, &err);
	for (const char *p = err; p && *p; p++)
		lines += *p == '\n';
	/* its own line (besides any JSON log lines): "bangban: ..." */
	own = strstr(err, "bangban: ");
	if (st != 1)
		soft_fail("serve with the database down: exit %d, want 1; stderr: %.500s", st, err);
	else if (!own || (own != err && own[-1] != '\n'))
		soft_fail("serve with the database down: no line \"bangban: ...\" on stderr: %.500s",
			  err);
	else
		note("serve with the database down: exit 1 after %.1f s, %d line(s) on stderr: %s",
		     now_s() - t0, lines, err);
	free(err);
}

/* Every id in want (n of them) is in the list of path (as admin); returns how many are listed. */
static size_t expect_listed(const char *what, const char *path, const long long *want, size_t n)
{
	json_t *all = list_all(admin, path);
	size_t listed = json_array_size(all), missing = 0;

	for (size_t i = 0; i < n; i++)
		if (!jfind_id(all, "id", want[i])) {
			if (missing++ < 10)
				soft_fail("%s %lld was acknowledged with 201 but is not listed", what,
					  want[i]);
		}
	if (missing)
		soft_fail("%zu of %zu acknowledged %ss missing", missing, n, what);
	json_decref(all);
	return listed;
}

static void test_outage_under_load(void **state)
{
	static const char *const logins[NLOAD] = { "cityclerk", "coord", "admin" };
	struct loader k[NLOAD];
	atomic_int stop = 0;
	double t_down0, t_down, t_up0, t_up, t_end;
	int before = 0, during = 0, after = 0, bad = 0;
	size_t nids[2] = { 0, 0 };
	long long *ids[2];
	char path[128];
	struct resp r;

	(void)state;
	if (pg_up_prepare() != 0)
		fail_at("cannot read %s/data/postmaster.opts", pg_dir);
	for (int t = 0; t < NLOAD; t++) {
		memset(&k[t], 0, sizeof k[t]);
		k[t].c = as(server, logins[t]);
		k[t].tickets = t == NLOAD - 1;
		k[t].rec = calloc(MAXREC, sizeof(struct rec));
		assert_non_null(k[t].rec);
		k[t].stop = &stop;
	}
	for (int t = 0; t < NLOAD; t++)
		assert_int_equal(pthread_create(&k[t].th, NULL, load_run, &k[t]), 0);
	sleep_s(2.0);

	t_down0 = now_s();
	if (pg_down() != 0)
		soft_fail("pg_ctl stop failed");
	t_down = now_s();
	note("PostgreSQL stopped in %.2f s", t_down - t_down0);
	/* the node answers health checks and refuses new servers meanwhile */
	req(admin, "GET", "/healthz", NULL, NULL, &r);
	note("GET /healthz with the database down: %ld %.200s", r.status, r.body);
	resp_free(&r);
	serve_refused();
	while (now_s() < t_down + DOWN_S)
		sleep_s(0.1);
	t_up0 = now_s();
	if (pg_up() != 0)
		fail_at("pg_ctl start failed (see %s/server.log)", pg_dir);
	t_up = now_s();
	note("PostgreSQL up again after %.2f s down", t_up - t_down);

	/* recovered by itself: every thread sees 5 answers 2xx in a row */
	t_end = t_up + RECOVER_S;
	for (;;) {
		int all = 1;

		for (int t = 0; t < NLOAD; t++)
			if (atomic_load(&k[t].ok_streak) < 5)
				all = 0;
		if (all || now_s() > t_end)
			break;
		sleep_s(0.1);
	}
	atomic_store(&stop, 1);
	for (int t = 0; t < NLOAD; t++)
		pthread_join(k[t].th, NULL);
	for (int t = 0; t < NLOAD; t++)
		if (atomic_load(&k[t].ok_streak) < 5)
			soft_fail("load %d (%s): no 5 answers 2xx in a row within %.0f s of the database "
				  "coming back", t, logins[t], RECOVER_S);

	for (int i = 0; i < 2; i++) {
		ids[i] = calloc(NLOAD * MAXREC, sizeof(long long));
		assert_non_null(ids[i]);
	}
	for (int t = 0; t < NLOAD; t++) {
		int ok_after = 0;

		for (int i = 0; i < k[t].n; i++) {
			const struct rec *e = &k[t].rec[i];
			int inside = e->t0 >= t_down && e->t1 <= t_up0;

			if (e->t1 - e->t0 > SLOW_S && bad++ < 20)
				soft_fail("load %d request %d: answered after %.1f s (status %ld)", t, i,
					  e->t1 - e->t0, e->status);
			if (e->status == 201) {
				ids[k[t].tickets][nids[k[t].tickets]++] = e->id;
				if (inside && bad++ < 20)
					soft_fail("load %d request %d: 201 while the database was down", t,
						  i);
				if (e->t1 < t_down0)
					before++;
				else if (e->t0 > t_up)
					ok_after++;
			} else if (e->status == 503 && strcmp(e->code, "unavailable") == 0) {
				during++;
			} else if (bad++ < 20) {
				soft_fail("load %d request %d (%.1f s after the stop): %ld %s, want 201 or "
					  "503 unavailable: %s", t, i, e->t0 - t_down0, e->status, e->code,
					  e->body);
			}
		}
		after += ok_after;
		note("load %d (%s, %s): %d requests", t, logins[t],
		     k[t].tickets ? "tickets" : "complaints", k[t].n);
	}
	note("201 before the stop: %d, 503 unavailable: %d, 201 after the restart: %d", before,
	     during, after);
	check(before > 0);
	check(during > 0);
	check(after > 0);

	/* every acknowledged write is there */
	snprintf(path, sizeof path, "/api/v1/complaints?site=%lld", site_city);
	size_t listed = expect_listed("complaint", path, ids[0], nids[0]);
	if (listed > nids[0])
		note("%zu complaints listed, %zu acknowledged (a write whose answer was lost)",
		     listed, nids[0]);
	snprintf(path, sizeof path, "/api/v1/tickets?site=%lld", site_city);
	listed = expect_listed("ticket", path, ids[1], nids[1]);
	if (listed > nids[1])
		note("%zu tickets listed, %zu acknowledged", listed, nids[1]);
	for (int i = 0; i < 2; i++)
		free(ids[i]);
	for (int t = 0; t < NLOAD; t++) {
		client_free(k[t].c);
		free(k[t].rec);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		case_test(test_outage_under_load),
	};
	int rc;

	if (argc < 4 || !argv[3][0]) {
		fprintf(stderr, "usage: %s <path to bangban> <data/catalog dir> <scripts/pg.sh>\n",
			argv[0]);
		return 2;
	}
	pg_sh = argv[3];
	if (cat_init(argc, argv))
		return 2;
	if (!harness_pg()) {
		printf("pg_outage: skipped (BB_PG_URL is not set: PostgreSQL only)\n");
		harness_done();
		return 0;
	}
	/* However the test ends (a failed setup skips teardown), the private cluster goes. */
	atexit(cluster_stop);
	rc = cmocka_run_group_tests_name("pg_outage", tests, setup, teardown);
	rc += harness_failures();
	harness_done();
	return rc ? 1 : 0;
}
