/* api_complaints.c - 办不成事 complaints. (scaffold: each handler replies no_route until implemented) */
#include "api.h"

void api_public_complain(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_public_complaint_get(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_public_complaint_rate(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_complaints_create(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_complaints_list(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_complaints_get(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_complaints_act(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
