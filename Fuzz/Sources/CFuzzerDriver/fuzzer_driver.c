#include "fuzzer_driver.h"
#include <stddef.h>
#include <stdint.h>

/* libFuzzer (linked by -sanitize=fuzzer) */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*cb)(const uint8_t *data, size_t size));
/* each fuzz target's @_cdecl("LLVMFuzzerTestOneInput") */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int gb_fuzz_run_driver(int argc, char **argv)
{
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
