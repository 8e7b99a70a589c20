/* front.c - the front desk's configurable limits, set once at start-up. */
#include "front.h"

static struct front_policy policy = {3, 90, 30, 15, 5};

void front_set_policy(const struct front_policy *p) { policy = *p; }
const struct front_policy *front_get_policy(void) { return &policy; }
