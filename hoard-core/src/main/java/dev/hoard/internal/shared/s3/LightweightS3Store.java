package dev.hoard.internal.shared.s3;

import com.github.davidmoten.aws.lw.client.Client;
import com.github.davidmoten.aws.lw.client.Credentials;
import com.github.davidmoten.aws.lw.client.HttpMethod;
import com.github.davidmoten.aws.lw.client.Request;
import com.github.davidmoten.aws.lw.client.Response;
import com.github.davidmoten.aws.lw.client.ResponseInputStream;
import com.github.davidmoten.aws.lw.client.xml.XmlElement;
import dev.hoard.SharedTierSettings;
import dev.hoard.internal.shared.ObjectStore;
import dev.hoard.internal.shared.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import javax.net.ssl.SSLException;

/**
 * {@link ObjectStore} on davidmoten's aws-lightweight-client-java (92 KB, no dependencies; docs/shared-tier.md says
 * why it was chosen). Path-style addressing under the configured endpoint. Made by {@code SharedTier} through
 * reflection only.
 *
 * <p>Retries are AWS's "standard" mode, done here rather than by the library so that they can tell a store that is
 * busy from one that is gone: an answer of 500, 502, 503, 504 or 429, or a connection broken mid-request, is sent
 * again up to {@link SharedTierSettings#maxAttempts} times in all, after a random pause of up to 100 ms, then 200 ms
 * (500 ms, then 1 s, when the store says it is throttling). A store that refuses connections, cannot be resolved or
 * stays silent past the timeout is not retried: the tier is then skipped, and the origin is faster than waiting for
 * it again.
 */
public final class LightweightS3Store implements ObjectStore {
    private static final long BASE_DELAY_MS = 100;
    private static final long THROTTLED_BASE_DELAY_MS = 500;
    private static final long MAX_DELAY_MS = 20_000;

    private final Client client;
    private final String bucket;
    private final int maxAttempts;

    public LightweightS3Store(SharedTierSettings settings) {
        this.bucket = settings.bucket();
        this.maxAttempts = settings.maxAttempts();
        Credentials credentials = settings.sessionToken() == null
                ? Credentials.of(settings.accessKey(), settings.secretKey())
                : Credentials.of(settings.accessKey(), settings.secretKey(), settings.sessionToken());
        String base = settings.endpoint() == null ? null : settings.endpoint().toString().replaceAll("/+$", "") + "/";
        Client.Builder4 builder = Client.s3().region(settings.region()).credentials(credentials)
                .connectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .retryMaxAttempts(1); // retrying() below instead
        if (base != null) {
            builder = builder.baseUrlFactory((service, region) -> base);
        }
        this.client = builder.build();
    }

    private Request object(String key) {
        return client.path(bucket, key);
    }

    @Override
    public Optional<Stat> head(String key) throws IOException {
        Response r = send("HEAD", key, object(key).method(HttpMethod.HEAD));
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        check("HEAD", key, r);
        long size = r.firstHeader("Content-Length").map(Long::parseLong).orElse(-1L);
        return Optional.of(new Stat(key, size, date(r, "Last-Modified"), date(r, "Date")));
    }

    @Override
    public Optional<Read> read(String key) throws IOException {
        Response r = send("GET", key, object(key));
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        check("GET", key, r);
        return Optional.of(new Read(r.content(), date(r, "Last-Modified"), date(r, "Date")));
    }

    @Override
    public Created createIfAbsent(String key, byte[] body) throws IOException {
        Answer<Response> a = retrying("PUT", key, object(key).method(HttpMethod.PUT).header("If-None-Match", "*")
                .requestBody(body)::response, Response::statusCode, r -> { });
        Response r = a.value();
        return switch (r.statusCode()) {
            case 200, 201, 204 -> Created.CREATED;
            // after a retry, the object that exists may be the first attempt's, whose answer was lost
            case 412 -> a.retried() ? Created.UNKNOWN : Created.EXISTS;
            case 409, 500, 503 -> Created.UNKNOWN;
            default -> throw new StoreException("PUT If-None-Match: *", key, r.statusCode(), r.contentUtf8());
        };
    }

    @Override
    public void put(String key, byte[] body) throws IOException {
        check("PUT", key, send("PUT", key, object(key).method(HttpMethod.PUT).requestBody(body)));
    }

    @Override
    public void putContent(String key, byte[] body) throws IOException {
        check("PUT", key, send("PUT", key, object(key).method(HttpMethod.PUT).unsignedPayload()
                .requestBody(body)));
    }

    @Override
    public Optional<InputStream> stream(String key) throws IOException {
        ResponseInputStream in = retrying("GET", key, object(key)::responseInputStream,
                ResponseInputStream::statusCode, LightweightS3Store::closeQuietly).value();
        if (in.statusCode() == 404) {
            in.close();
            return Optional.empty();
        }
        if (in.statusCode() < 200 || in.statusCode() > 299) {
            String body;
            try (in) {
                body = new String(in.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8);
            }
            throw new StoreException("GET", key, in.statusCode(), body);
        }
        return Optional.of(in);
    }

    @Override
    public List<Stat> list(String prefix) throws IOException {
        List<Stat> objects = new ArrayList<>();
        String token = null;
        do {
            Request request = client.path(bucket).query("list-type", "2").query("prefix", prefix);
            if (token != null) {
                request = request.query("continuation-token", token);
            }
            Response r = send("LIST", prefix, request);
            check("LIST", prefix, r);
            Instant now = date(r, "Date");
            XmlElement root = XmlElement.parse(r.contentUtf8());
            for (XmlElement item : root.childrenWithName("Contents")) {
                objects.add(new Stat(item.content("Key"), Long.parseLong(item.content("Size")),
                        Instant.parse(item.content("LastModified")), now));
            }
            boolean truncated = "true".equals(root.content("IsTruncated"));
            token = truncated ? root.content("NextContinuationToken") : null;
        } while (token != null);
        return objects;
    }

    @Override
    public void delete(String key) throws IOException {
        Response r = send("DELETE", key, object(key).method(HttpMethod.DELETE));
        if (r.statusCode() != 404) {
            check("DELETE", key, r);
        }
    }

    /** Runs a request, retried as the class says. */
    private Response send(String operation, String key, Request request) throws IOException {
        return retrying(operation, key, request::response, Response::statusCode, r -> { }).value();
    }

    /** What a request got, and whether it took more than one attempt. */
    private record Answer<T>(T value, boolean retried) {
    }

    /**
     * Sends {@code request} until it gets an answer that is not transient, or {@link #maxAttempts} are used; each
     * transient answer is {@code discard}ed before the next attempt. The last answer, transient or not, is the
     * caller's to judge.
     */
    private <T> Answer<T> retrying(String operation, String key, Supplier<T> request, ToIntFunction<T> status,
            Consumer<T> discard) throws IOException {
        for (int attempt = 1;; attempt++) {
            T answer;
            try {
                answer = call(operation, key, request);
            } catch (IOException e) {
                if (attempt >= maxAttempts || !broken(e)) {
                    throw e;
                }
                pause(attempt, BASE_DELAY_MS);
                continue;
            }
            int code = status.applyAsInt(answer);
            if (attempt >= maxAttempts || !transientStatus(code)) {
                return new Answer<>(answer, attempt > 1);
            }
            discard.accept(answer);
            pause(attempt, code == 503 || code == 429 ? THROTTLED_BASE_DELAY_MS : BASE_DELAY_MS);
        }
    }

    /** The 5xx that S3 documents as worth retrying (503 is {@code SlowDown}), and 429 Too Many Requests. */
    private static boolean transientStatus(int code) {
        return code == 500 || code == 502 || code == 503 || code == 504 || code == 429;
    }

    /**
     * A connection that broke after it was made (reset, closed before the answer): worth one more try. Refused,
     * unresolvable, unroutable, timed out or TLS-rejected are the store being gone, and are not.
     */
    private static boolean broken(IOException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        return cause instanceof IOException && !(cause instanceof ConnectException
                || cause instanceof NoRouteToHostException || cause instanceof UnknownHostException
                || cause instanceof SocketTimeoutException || cause instanceof SSLException);
    }

    /** Full jitter, as AWS's standard mode: a random pause up to base × 2^(attempt-1). */
    private static void pause(int attempt, long baseMs) throws IOException {
        long ceiling = Math.min(MAX_DELAY_MS, baseMs << Math.min(attempt - 1, 20));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted between attempts");
        }
    }

    private static void closeQuietly(ResponseInputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // the next attempt opens its own connection
        }
    }

    private static <T> T call(String operation, String key, Supplier<T> request) throws IOException {
        try {
            return request.get();
        } catch (UncheckedIOException e) {
            IOException cause = e.getCause();
            throw new IOException(operation + " " + key + ": " + cause.getMessage(), cause);
        } catch (RuntimeException e) {
            throw new IOException(operation + " " + key + ": " + e, e);
        }
    }

    private static void check(String operation, String key, Response r) throws StoreException {
        if (r.statusCode() < 200 || r.statusCode() > 299) {
            throw new StoreException(operation, key, r.statusCode(), r.contentUtf8());
        }
    }

    private static Instant date(Response r, String header) {
        return r.firstHeader(header).map(v -> ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
                .orElse(null);
    }
}
