#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLibraryUnload
import GrowthBookRemote

/// What the library does before it is unloaded (dlclose) or the process exits, called by the
/// C destructor in CLibraryUnload.
///
/// Detached threads still running when dlclose unmapped the library crashed the host. So the
/// background threads are stopped and joined, waiting at most `timeout` (a thread inside a
/// host callback cannot be interrupted; `gb_shutdown` lets a host wait for it as long as it
/// wants, and learn whether it ended). The thread-specific keys go too: glibc would otherwise
/// call their destructors, in unmapped code, as each thread that made a call exits. The
/// calling thread's values are freed; those of other live threads (a small text buffer and an
/// error message each) are left behind, as a key's values cannot be reached from another
/// thread.
enum LibraryUnload {
    /// How long the destructor waits for background threads (normally they end within
    /// milliseconds: their waits wake and their transfers are aborted).
    static let timeout: Double = 2

    /// Installs the hook (and pins libcurl) once; called when a handle is created and when a
    /// thread-specific key is made.
    static let installed: Void = {
        _ = gb_pin_loaded_library("libcurl.so.4")
        gb_set_library_unload_hook { LibraryUnload.run() }
    }()

    private static func run() {
        _ = BackgroundThreads.stop(timeout: timeout, unloading: true)
        CallScope.unload()
        LastError.unload()
    }
}
