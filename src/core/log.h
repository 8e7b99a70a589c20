/* log.h - one JSON object per line on stderr: {"ts","level","req","msg",...}.
 * Never pass personal data (ID numbers, phones) to the log. */
#ifndef BB_LOG_H
#define BB_LOG_H
#include <jansson.h>

/* Logs msg (printf-style) at level ("info", "warn", "error") with an optional request id. */
void log_msg(const char *level, const char *req_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes obj as one line, adding "ts". Steals nothing: obj stays the caller's. */
void log_json(json_t *obj);
/* Silences info lines (tests that check stderr may want quiet). */
void log_set_quiet(int quiet);

#endif
