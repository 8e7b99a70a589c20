/* api_queue.c - tickets, calling, the display snapshot, statistics. (scaffold: each handler replies no_route until implemented) */
#include "api.h"

void api_public_ticket_take(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_public_queue(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_public_queue_events(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_tickets_take(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_tickets_list(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_tickets_get(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_tickets_act(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_windows_call_next(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_windows_queue(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_queue_stats(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
