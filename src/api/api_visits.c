/* api_visits.c - 上门服务 home visits. (scaffold: each handler replies no_route until implemented) */
#include "api.h"

void api_visits_create(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_visits_list(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_visits_get(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_visits_act(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
