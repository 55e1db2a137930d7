#include "library_unload.h"

#include <dlfcn.h>
#include <stddef.h>

static void (*_Atomic unload_hook)(void) = NULL;

void gb_set_library_unload_hook(void (*hook)(void)) { unload_hook = hook; }

int gb_pin_loaded_library(const char *soname)
{
    /* RTLD_NOLOAD: only a library already loaded (a dependency); RTLD_NODELETE keeps it. The
     * handle is deliberately never closed. */
    return dlopen(soname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE) != NULL ? 0 : -1;
}

/* Runs at dlclose of the library, and at exit() (before the statically linked Swift
 * runtime's own destructors, which come later in the library's fini order). */
__attribute__((destructor)) static void gb_library_unload(void)
{
    void (*hook)(void) = unload_hook;
    if (hook != NULL) hook();
}
