/* Shared between harness.c (server process) and harness_http.c (clients). */
#ifndef BB_API_HARNESS_INT_H
#define BB_API_HARNESS_INT_H

#include <stddef.h>

struct resp;

struct srv;

/* "http://127.0.0.1:<port>" of a running server. */
const char *srv_base(const struct srv *s);
/* libcurl write callback that drops the data. */
size_t discard_cb(char *p, size_t size, size_t n, void *ud);
/* Prints the request and (the start of) the response of r to stderr. */
void resp_dump(const struct resp *r);
/* Records a failure outside any test (e.g. the server's exit status). */
void harness_note_failure(void);

#endif
