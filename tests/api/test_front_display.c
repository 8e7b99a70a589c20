/*
 * API tests: the hall display's live stream (docs/api-queue.md,
 * GET /api/v1/public/sites/{id}/queue/events). A display connected to one node sees, without
 * asking again, a ticket taken and called on another node of the same database; an unknown site
 * is 404; a node with open displays still stops cleanly (srv_stop checks exit status 0).
 * Usage: api_front_display <path to bangban> <data/catalog dir>
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>

#include "front_util.h"
#include "harness_int.h"

/* One display: a thread reading the event stream into text until told to stop. */
struct display {
	pthread_t thread;
	char url[160];
	pthread_mutex_t mu;
	char *text;
	size_t len;
	int stop;
	long status;
	char ctype[96];
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct display *d = arg;
	size_t add = size * n;

	pthread_mutex_lock(&d->mu);
	char *t = realloc(d->text, d->len + add + 1);
	if (t) {
		memcpy(t + d->len, p, add);
		d->len += add;
		t[d->len] = 0;
		d->text = t;
	}
	pthread_mutex_unlock(&d->mu);
	return t ? add : 0;
}

static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t e)
{
	struct display *d = arg;
	int stop;

	(void)a, (void)b, (void)c, (void)e;
	pthread_mutex_lock(&d->mu);
	stop = d->stop;
	pthread_mutex_unlock(&d->mu);
	return stop; /* non-zero aborts the transfer */
}

static void *run_display(void *arg)
{
	struct display *d = arg;
	CURL *h = curl_easy_init();
	char *ct = NULL;

	if (!h)
		return NULL;
	curl_easy_setopt(h, CURLOPT_URL, d->url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, d);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, d);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 120000L);
	curl_easy_perform(h);
	pthread_mutex_lock(&d->mu);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &d->status);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
		snprintf(d->ctype, sizeof d->ctype, "%s", ct);
	pthread_mutex_unlock(&d->mu);
	curl_easy_cleanup(h);
	return NULL;
}

static void display_open(struct display *d, const struct srv *s, long long site)
{
	memset(d, 0, sizeof *d);
	pthread_mutex_init(&d->mu, NULL);
	snprintf(d->url, sizeof d->url, "%s/api/v1/public/sites/%lld/queue/events", srv_base(s),
		 site);
	assert_int_equal(pthread_create(&d->thread, NULL, run_display, d), 0);
}

static void display_close(struct display *d)
{
	pthread_mutex_lock(&d->mu);
	d->stop = 1;
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->thread, NULL);
	free(d->text);
	pthread_mutex_destroy(&d->mu);
}

/* Waits up to secs for the stream to contain needle (after the first `from` bytes). */
static int display_wait(struct display *d, const char *needle, size_t from, int secs)
{
	for (int i = 0; i < secs * 10; i++) {
		int found;

		pthread_mutex_lock(&d->mu);
		found = d->len > from && strstr(d->text + from, needle) != NULL;
		pthread_mutex_unlock(&d->mu);
		if (found)
			return 1;
		usleep(100 * 1000);
	}
	return 0;
}

static size_t display_len(struct display *d)
{
	pthread_mutex_lock(&d->mu);
	size_t n = d->len;
	pthread_mutex_unlock(&d->mu);
	return n;
}

static struct srv *node2;
static struct client *clerk2, *anon2;

static int setup(void **state)
{
	if (srv_group_setup(state))
		return -1;
	node2 = srv_second(*state, NULL);
	if (!node2)
		return -1;
	clerk2 = as(node2, "cityclerk");
	anon2 = client_new(node2);
	cases_load_sites(clerk2);
	return 0;
}

static int teardown(void **state)
{
	client_free(clerk2);
	client_free(anon2);
	if (srv_stop(node2))
		harness_note_failure();
	return srv_group_teardown(state);
}

/* The first general window of the district centre, as node 2 lists it. */
static long long general_window(void)
{
	char path[96];
	json_t *all;
	long long id = 0;
	size_t i;
	json_t *w;

	snprintf(path, sizeof path, "/api/v1/windows?site=%lld", site_city);
	all = list_all(clerk2, path);
	json_array_foreach(all, i, w) {
		const char *kind = jstr(w, "kind");
		if (!id && kind && strcmp(kind, "general") == 0)
			id = jint(w, "id");
	}
	json_decref(all);
	assert_true(id > 0);
	return id;
}

static void test_display_follows_another_node(void **state)
{
	struct display d;
	struct resp r;
	char body[96], path[96], number[16];
	size_t mark;

	display_open(&d, *state, site_city);
	if (!display_wait(&d, "event: queue", 0, 10))
		fail_at("no first queue event within 10 s");
	assert_true(display_wait(&d, "\"site_id\"", 0, 1));

	/* A ticket taken on node 2 shows up as waiting on node 1's stream. */
	mark = display_len(&d);
	snprintf(body, sizeof body, "{\"site_id\":%lld,\"kind\":\"general\"}", site_city);
	req(anon2, "POST", "/api/v1/public/tickets", body, NULL, &r);
	expect_status(&r, 201);
	snprintf(number, sizeof number, "%s", jstr(r.json, "number"));
	resp_free(&r);
	if (!display_wait(&d, number, mark, 10))
		fail_at("the display did not show the new ticket %s within 10 s", number);

	/* Called at a window through node 2: a new event carries it in `calling`. */
	mark = display_len(&d);
	snprintf(path, sizeof path, "/api/v1/windows/%lld/call-next", general_window());
	req(clerk2, "POST", path, NULL, NULL, &r);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "number"), number);
	resp_free(&r);
	if (!display_wait(&d, "\"calling\":[{", mark, 10))
		fail_at("the display did not show the call within 10 s");
	pthread_mutex_lock(&d.mu);
	assert_non_null(strstr(d.text + mark, number));
	pthread_mutex_unlock(&d.mu);
	display_close(&d);
	assert_true(d.status == 200 || d.status == 0);
}

static void test_display_headers_and_unknown_site(void **state)
{
	struct display d;
	struct resp r;

	display_open(&d, *state, site_city);
	assert_true(display_wait(&d, "retry:", 0, 10));
	display_close(&d);
	assert_int_equal(d.status, 200);
	assert_non_null(strstr(d.ctype, "text/event-stream"));

	req(anon2, "GET", "/api/v1/public/sites/999999/queue/events", NULL, NULL, &r);
	expect_error(&r, 404, "not_found", NULL);
	resp_free(&r);
	req(anon2, "GET", "/api/v1/public/sites/abc/queue/events", NULL, NULL, &r);
	expect_status(&r, 404);
	resp_free(&r);
}

/* Left open on purpose: the group teardown stops node 1 with this display still connected and
 * srv_stop fails unless the node exits 0 within its grace time. */
static struct display left_open;

static void test_display_open_at_shutdown(void **state)
{
	display_open(&left_open, *state, site_city);
	assert_true(display_wait(&left_open, "event: queue", 0, 10));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_display_follows_another_node),
		cmocka_unit_test(test_display_headers_and_unknown_site),
		cmocka_unit_test(test_display_open_at_shutdown),
	};
	int rc;

	if (harness_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests(tests, setup, teardown);
	/* The server is gone: the stream has ended (or been cut); reap the thread. */
	display_close(&left_open);
	harness_done();
	return rc || harness_failures();
}
