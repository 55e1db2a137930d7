#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCurl

/// The sockets of the transfers background threads are making, so that stopping a thread
/// ends its transfer at once: `shutdown(2)` wakes libcurl's wait on the socket (a stream
/// waits for minutes between events), where libcurl's progress callback, the other way to
/// abort, is called only about once a second while a connection is idle.
///
/// libcurl opens and closes these sockets through the callbacks below, under one lock, so a
/// socket is never shut down after libcurl closed it (its descriptor number may by then belong
/// to someone else).
enum TransferSockets {
    private struct Owner {
        let epoch: Int
        let thread: pthread_t
    }

    private static let lock = ConditionLock()
    nonisolated(unsafe) private static var sockets: [curl_socket_t: Owner] = [:]

    /// Makes libcurl open and close the sockets of `curl`'s transfer here, on behalf of a
    /// background thread of `epoch`.
    static func track(_ curl: UnsafeMutableRawPointer, epoch: Int) {
        // The epoch travels as the callbacks' pointer (plus one, so that 0 is not a null pointer).
        let clientp = UnsafeMutableRawPointer(bitPattern: UInt(bitPattern: epoch &+ 1))
        gb_curl_setopt_opensocket(curl) { clientp, _, address in
            guard let address else { return CURL_SOCKET_BAD }
            let a = address.pointee
            // Close-on-exec: a host that forks and execs does not hand the connection on.
            let fd = socket(a.family, a.socktype | Int32(SOCK_CLOEXEC.rawValue), a.protocol)
            guard fd >= 0 else { return CURL_SOCKET_BAD }
            let epoch = Int(bitPattern: UInt(bitPattern: clientp)) &- 1
            TransferSockets.lock.withLock { TransferSockets.sockets[fd] = Owner(epoch: epoch, thread: pthread_self()) }
            return fd
        }
        gb_curl_setopt_pointer(curl, CURLOPT_OPENSOCKETDATA, clientp)
        gb_curl_setopt_closesocket(curl) { _, fd in
            TransferSockets.lock.withLock {
                TransferSockets.sockets[fd] = nil
                return close(fd)
            }
        }
        gb_curl_setopt_pointer(curl, CURLOPT_CLOSESOCKETDATA, clientp)
    }

    /// Shuts down the sockets of the transfers of threads started before epoch `below`
    /// (libcurl then fails the transfer and closes the socket itself).
    static func shutDown(below: Int) {
        lock.withLock {
            for (fd, owner) in sockets where owner.epoch < below { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    // MARK: fork() (called by BackgroundThreads' fork handlers)

    static func lockForFork() { lock.lock() }
    static func unlockAfterFork() { lock.unlock() }

    /// In the child (the lock held since before fork()): the transfers of the parent's threads
    /// do not exist here, and their descriptors only keep the parent's connections open in
    /// this process too; closing them here leaves the parent's connections as they were. A
    /// transfer of the forking thread itself goes on.
    static func closeAfterFork() {
        lock.resetConditionAfterFork()
        for (fd, owner) in sockets where pthread_equal(owner.thread, pthread_self()) == 0 {
            close(fd)
            sockets[fd] = nil
        }
        lock.unlock()
    }
}
