#include "thread_scope.h"

__thread void *gb_thread_scope_slot __attribute__((tls_model("initial-exec"), visibility("hidden"))) = 0;
