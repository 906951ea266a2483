package dev.hoard;

import java.time.Instant;

/** Who holds an entry's lock: the process that is downloading it. */
public record LockOwner(long pid, String host, Instant since) {

    @Override
    public String toString() {
        return "pid " + pid + " on " + host + " since " + since;
    }
}
