/* api_hotline.c - API keys and 12345 hotline work orders. (scaffold: each handler replies no_route until implemented) */
#include "api.h"

void api_keys_list(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_keys_create(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_keys_revoke(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_hotline_order_create(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_hotline_order_get(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_hotline_orders_list(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_hotline_orders_get(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
void api_hotline_orders_act(struct req *r) { reply_error(r, BB_NO_ROUTE, NULL); }
