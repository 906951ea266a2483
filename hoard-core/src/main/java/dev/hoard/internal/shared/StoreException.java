package dev.hoard.internal.shared;

import java.io.IOException;

/** The object store answered, but not with success or a documented "absent" or "exists": a 403, a 5xx, a 501. */
public final class StoreException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public StoreException(String operation, String key, int status, String body) {
        super(operation + " " + key + " answered " + status + summary(body));
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The S3 error code, e.g. {@code <Code>AccessDenied</Code>}, which says more than the status. */
    private static String summary(String body) {
        if (body == null) {
            return "";
        }
        int start = body.indexOf("<Code>");
        int end = body.indexOf("</Code>");
        return start >= 0 && end > start ? " " + body.substring(start + 6, end) : "";
    }
}
