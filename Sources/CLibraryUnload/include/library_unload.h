/*
 * What runs when libgrowthbook.so is unloaded (dlclose) or the process exits: the library's
 * destructor calls the hook the Swift side installs, which stops and joins the library's
 * background threads and deletes its thread-specific keys, before the code they would run is
 * unmapped. Swift has no destructor of its own for a shared library, hence this C file.
 */
#ifndef GB_LIBRARY_UNLOAD_H
#define GB_LIBRARY_UNLOAD_H

/* Sets the function the library's destructor calls (once; later calls replace it). */
void gb_set_library_unload_hook(void (*hook)(void)) __attribute__((visibility("hidden")));

/* Keeps an already loaded library (by soname) loaded until the process exits, whatever
 * dlclose does: libcurl leaves a DNS lookup it gave up on running on a thread of its own,
 * which must not outlive libcurl's code when libgrowthbook (its only user) is unloaded.
 * Returns 0 when it is pinned. */
int gb_pin_loaded_library(const char *soname) __attribute__((visibility("hidden")));

#endif
