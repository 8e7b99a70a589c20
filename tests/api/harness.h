/*
 * API test harness: runs a real bangban server for one test program and talks
 * HTTP to it the way a browser would.
 *
 * A test program calls harness_init(argc, argv) (argv[1] is the server binary),
 * then runs cmocka groups whose setup/teardown are srv_group_setup/teardown.
 * Each group gets a fresh server on a fresh demo database in a temp dir.
 *
 * Clients are independent browsers: each has its own cookie jar and, after
 * login(), its own CSRF token which it sends on every mutation unless told not to.
 *
 * Bodies and paths given to the *t() variants are templates: a single quote
 * becomes a double quote, and $A..$Z become the integer set with tvar_set().
 * That keeps JSON in C tables readable: "{'site_id':$T,'name':'窗口'}".
 *
 * The check helpers fail the running cmocka test (with file/line of the caller)
 * and print the request and response on a mismatch.
 */
#ifndef BB_API_HARNESS_H
#define BB_API_HARNESS_H

#include <stddef.h>
#include <jansson.h>

struct srv;
struct client;

/* One HTTP exchange. Fill with req*(), release with resp_free(). */
struct resp {
	long status;            /* HTTP status, 0 when no response came */
	json_t *json;           /* parsed body, NULL when empty or not JSON */
	char *body;             /* raw body, NUL-terminated, never NULL after req */
	size_t body_len;
	char **hdr;             /* header lines of the final response, "Name: value" */
	size_t nhdr;
	char what[320];         /* "METHOD path body-excerpt" for messages */
};

/* Remembers the server binary (argv[1]) and initialises libcurl.
 * Returns 0, or -1 with a message when argv[1] is missing. */
int harness_init(int argc, char **argv);
/* Releases libcurl. */
void harness_done(void);
/* Failures noticed outside tests (a server that did not exit 0): add to main's result. */
int harness_failures(void);

/* Starts a server on a new seeded database. NULL (and a message) on failure. */
struct srv *srv_start(void);
/* srv_start() with extra `serve` arguments (NULL-terminated), e.g. --secure-cookies. */
struct srv *srv_start_args(const char *const *extra);
/* Stops s's server with SIGTERM (it must exit 0) and serves the same database again, on a new
 * port, with these extra arguments (NULL-terminated; e.g. another --fake-now). Clients of s keep
 * working (sign in again if sessions must not survive). 0 when it stopped cleanly and is up again. */
int srv_restart_args(struct srv *s, const char *const *extra);
/* A second server process on first's database (another node of one installation), with extra
 * `serve` arguments (NULL-terminated or NULL). Stop it with srv_stop before first; it leaves
 * first's temp dir alone. NULL (and a message) on failure. */
struct srv *srv_second(const struct srv *first, const char *const *extra);
/* Stops it with SIGTERM and removes its temp dir. 0 iff it exited with status 0. */
int srv_stop(struct srv *s);
/* cmocka group fixtures: *state becomes / is the struct srv. */
int srv_group_setup(void **state);
int srv_group_teardown(void **state);

/* A new browser for server s; fails the test on allocation failure. */
struct client *client_new(struct srv *s);
void client_free(struct client *c);
/* Send X-CSRF-Token on mutations (on by default once signed in). */
void client_auto_csrf(struct client *c, int on);
/* The token from the last successful login(), or "" */
const char *client_csrf(const struct client *c);

/* POST /api/v1/session; on 200 remembers the csrf token. Returns the status. */
long login(struct client *c, const char *login_name, const char *password);
/* login() that must succeed. */
#define login_ok(c, l, p) login_ok_at(__FILE__, __LINE__, (c), (l), (p))
void login_ok_at(const char *file, int line, struct client *c, const char *l, const char *p);

/*
 * Sends METHOD path with body (NULL: none) and extra header lines (NULL-terminated
 * array or NULL). Fills *r (free with resp_free) and returns the status.
 * Fails the test when no HTTP response arrives or it lacks X-Request-Id.
 */
long req(struct client *c, const char *method, const char *path, const char *body,
	 const char *const *headers, struct resp *r);
/* req() with path and body expanded as templates. */
long reqt(struct client *c, const char *method, const char *path, const char *body,
	  struct resp *r);
void resp_free(struct resp *r);

/* Prints the request and (the start of) the response of r to stderr. */
void resp_dump(const struct resp *r);

/* First value of header name (case-insensitive) in r, or NULL. */
const char *resp_header(const struct resp *r, const char *name);
/* The Set-Cookie value that sets cookie name, or NULL. */
const char *resp_cookie(const struct resp *r, const char *name);
/* error.code / error.field of an error body, or NULL. */
const char *resp_err_code(const struct resp *r);
const char *resp_err_field(const struct resp *r);

/* Percent-encodes s for a query string (free it); fails the test on OOM. */
char *urlenc(const char *s);

/* Template variables $A..$Z. */
void tvar_set(char name, long long value);
long long tvar(char name);
/* Expands template t into a new string (free it); fails the test on OOM. */
char *tpl(const char *t);

/* Integer member key of object o; fails the test when absent. */
#define jint(o, key) jint_at(__FILE__, __LINE__, (o), (key))
long long jint_at(const char *file, int line, const json_t *o, const char *key);
/* String member key of o, or NULL. */
const char *jstr(const json_t *o, const char *key);
/* The first element of array a whose member key is the string val, or NULL. */
json_t *jfind(const json_t *a, const char *key, const char *val);
/* The first element of array a whose member key is the integer val, or NULL. */
json_t *jfind_id(const json_t *a, const char *key, long long val);

/* Every item of a list endpoint (path may carry a query), following cursors.
 * Returns a new array reference; fails the test on any non-200. */
#define list_all(c, path) list_all_at(__FILE__, __LINE__, (c), (path))
json_t *list_all_at(const char *file, int line, struct client *c, const char *path);

/* Sites, windows, departments and users as client c lists them (a root admin
 * sees all), as one object: compare two with json_equal to see if anything was written. */
#define snapshot(c) snapshot_at(__FILE__, __LINE__, (c))
json_t *snapshot_at(const char *file, int line, struct client *c);

/*
 * PostgreSQL runs (docs/testing.md): when the environment has BB_PG_URL (a cluster's admin URL),
 * srv_start creates a fresh database bbt_<pid>_<n> on that cluster, seeds it and serves it with
 * `--pg <url> --key-file <dir>/t.key` (srv_second and srv_restart_args too); srv_stop drops it.
 */
/* BB_PG_URL when set and not empty, else NULL (the tests run on SQLite). */
const char *harness_pg(void);
/* s's database URL and key file on PostgreSQL; NULL on SQLite. */
const char *srv_pg_url(const struct srv *s);
const char *srv_key_file(const struct srv *s);
/* Runs `psql -X -q -v ON_ERROR_STOP=1 -d url -c sql` (output into s's server log when s is not
 * NULL, else stderr); 0 when it exited 0. */
int harness_psql(const struct srv *s, const char *url, const char *sql);

/* Points client c at server s from now on (another node): same cookie jar, same CSRF token. */
void client_use(struct client *c, struct srv *s);

/* The server binary (argv[1]) and a server's private temp dir (removed by srv_stop). */
const char *harness_bin(void);
const char *srv_dir(const struct srv *s);
/* "http://127.0.0.1:<port>" of s, for raw libcurl use (streams). */
const char *srv_base(const struct srv *s);
/*
 * Runs the server binary with args (NULL-terminated, not counting argv[0]) in a
 * hermetic environment (no BANGBAN_*), waiting up to 120 s. *out / *err (when not
 * NULL) receive its stdout / stderr (free them). Returns the exit status, or -1
 * when it did not exit normally (fails the test when it cannot be started).
 */
int run_bin(const struct srv *s, const char *const *args, char **out, char **err);

/* Checks: fail the current test with the caller's location. */
#define expect_status(r, st) expect_status_at(__FILE__, __LINE__, (r), (st))
void expect_status_at(const char *file, int line, const struct resp *r, long status);
/* status, error.code (NULL: any), error.field (NULL: any), and message/message_en present. */
#define expect_error(r, st, code, field) \
	expect_error_at(__FILE__, __LINE__, (r), (st), (code), (field))
void expect_error_at(const char *file, int line, const struct resp *r, long status,
		     const char *code, const char *field);
/* NULL when r is that error, else what differs (no output, no failure). */
const char *error_mismatch(const struct resp *r, long status, const char *code,
			   const char *field);
/* Prints "MISMATCH <request>: why: want ..." and the response to stderr. */
void print_mismatch(const struct resp *r, const char *why, long status, const char *code,
		    const char *field);
/* Fails with a formatted message at the caller's location. */
#define fail_at(...) fail_at_(__FILE__, __LINE__, __VA_ARGS__)
void fail_at_(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#endif
