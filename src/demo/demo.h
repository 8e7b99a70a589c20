/* demo.h - the demo city of seed 000 (锡林浩特市): a city centre with the window layout of
 * seed 001, three townships/streets, eight villages/communities, departments and staff for
 * every role. Every demo password is "bangban-demo". */
#ifndef BB_DEMO_H
#define BB_DEMO_H
#include <stdbool.h>
#include "../store/store.h"

#define DEMO_PASSWORD "bangban-demo"

/* Seeds the demo data into an empty database. *seeded is false (and nothing is written) when
 * the database already has sites. */
enum bb_err demo_seed(struct store *st, bool *seeded);

#endif
