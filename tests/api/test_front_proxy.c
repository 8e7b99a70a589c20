/*
 * API tests: per-address limits behind reverse proxies (docs/operations.md, --trusted-proxy).
 * With nginx in front of the nodes every request comes from the proxy's address; a node started
 * with --trusted-proxy counts the client named by X-Forwarded-For instead (the rightmost entry
 * that is not itself a trusted proxy), and ignores the header from anybody else. Measured with the
 * public complaint limit (10 per address per hour).
 * Usage: api_front_proxy <path to bangban> <data/catalog dir>
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "front_util.h"

#define COMPLAIN "/api/v1/public/complaints"
#define LIMIT 10

/* POSTs one complaint at site 1 with X-Forwarded-For xff (NULL: none); returns the status. */
static long complain(struct client *c, const char *xff)
{
	char hdr[160];
	const char *headers[] = { hdr, NULL };
	struct resp r;
	long st;

	snprintf(hdr, sizeof hdr, "X-Forwarded-For: %s", xff ? xff : "");
	st = req(c, "POST", COMPLAIN,
		 "{\"site_id\":1,\"name\":\"王芳\",\"phone\":\"13912345678\","
		 "\"description\":\"窗口说材料不全但没有一次告知\"}",
		 xff ? headers : NULL, &r);
	if (st == 429 && !resp_header(&r, "Retry-After"))
		fail_at("429 without Retry-After");
	resp_free(&r);
	return st;
}

static void test_trusted_proxy_counts_clients(void **state)
{
	const char *extra[] = { "--trusted-proxy", "127.0.0.1,10.9.9.9", NULL };
	struct srv *s = srv_start_args(extra);
	struct client *c;
	char xff[64];

	(void)state;
	assert_non_null(s);
	c = client_new(s);
	/* Twelve residents behind the proxy: none of them is near the limit. */
	for (int i = 1; i <= LIMIT + 2; i++) {
		snprintf(xff, sizeof xff, "203.0.113.%d", i);
		if (complain(c, xff) != 201)
			fail_at("resident %s was refused", xff);
	}
	/* One resident eleven times: the eleventh is refused. A second trusted hop on the right
	 * (two proxies) still names the same client; a forged entry on the left changes nothing. */
	for (int i = 1; i <= LIMIT; i++) {
		const char *v = i % 3 == 0 ? "198.51.100.7, 10.9.9.9"
			      : i % 3 == 1 ? "198.51.100.7" : "1.2.3.4, 198.51.100.7";
		if (complain(c, v) != 201)
			fail_at("attempt %d from 198.51.100.7 refused early", i);
	}
	assert_int_equal(complain(c, "198.51.100.7"), 429);
	assert_int_equal(complain(c, "5.6.7.8, 198.51.100.7, 10.9.9.9"), 429);
	/* Others are still served. */
	assert_int_equal(complain(c, "198.51.100.8"), 201);
	client_free(c);
	assert_int_equal(srv_stop(s), 0);
}

static void test_untrusted_header_ignored(void **state)
{
	struct srv *s = srv_start();
	struct client *c;
	char xff[64];
	int refused = 0;

	(void)state;
	assert_non_null(s);
	c = client_new(s);
	/* Without --trusted-proxy the header is the client's own claim: all count as 127.0.0.1. */
	for (int i = 1; i <= LIMIT + 1; i++) {
		snprintf(xff, sizeof xff, "203.0.113.%d", i);
		long st = complain(c, xff);
		if (st == 429)
			refused++;
		else if (st != 201)
			fail_at("unexpected status %ld", st);
	}
	assert_int_equal(refused, 1);
	client_free(c);

	/* A setting that is not a list of addresses is a usage error (exit 2) at start. */
	const char *bad[] = { "nginx.local", "10.0.0.1, 10.0.0.2", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *args[] = { "serve", "--db", "/nonexistent/x.db", "--trusted-proxy", bad[i],
				       NULL };
		char *err = NULL;
		int st = run_bin(s, args, NULL, &err);

		if (st != 2)
			fail_at("serve --trusted-proxy '%s' exited %d, want 2 (usage)", bad[i], st);
		free(err);
	}
	assert_int_equal(srv_stop(s), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trusted_proxy_counts_clients),
		cmocka_unit_test(test_untrusted_header_ignored),
	};
	int rc;

	if (harness_init(argc, argv))
		return 2;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	harness_done();
	return rc || harness_failures();
}
