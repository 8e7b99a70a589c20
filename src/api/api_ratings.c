/* api_ratings.c - 好差评 ratings, appeals and rectifications. (scaffold: each handler replies no_route until implemented) */
#include "api.h"

void api_public_rateable(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_public_rate(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_public_appeal(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_ratings_list(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_rectifications_list(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_rectifications_get(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_rectifications_act(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
