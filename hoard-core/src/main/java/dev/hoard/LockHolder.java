package dev.hoard;

import java.time.Instant;

/**
 * The lock holder: the process that holds an entry's lock, i.e. is downloading (or revalidating) it, as it recorded
 * itself in the entry. hoard calls it the holder everywhere (waiters, timeouts, busy entries, listings).
 *
 * @param pid   its process id
 * @param host  the host it runs on (a cache may be shared over a network filesystem)
 * @param since when it took the lock
 */
public record LockHolder(long pid, String host, Instant since) {

    @Override
    public String toString() {
        return "pid " + pid + " on " + host + " since " + since;
    }
}
