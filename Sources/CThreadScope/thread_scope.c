#include "thread_scope.h"

__thread void *gb_thread_scope_slot __attribute__((tls_model("initial-exec"), visibility("hidden"))) = 0;

/* A thread's first call finds a full budget (the C layer refills it per call). */
__thread unsigned long long gb_regex_budget_slot __attribute__((tls_model("initial-exec"), visibility("hidden"))) =
    GB_REGEX_BUDGET_STEPS;
