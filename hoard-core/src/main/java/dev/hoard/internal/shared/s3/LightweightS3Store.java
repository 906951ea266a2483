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
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@link ObjectStore} on davidmoten's aws-lightweight-client-java (92 KB, no dependencies; docs/shared-tier.md says
 * why it was chosen). Path-style addressing under the configured endpoint; the library's own retries are off, since
 * a tier that fails is skipped rather than waited for. Made by {@code SharedTier} through reflection only.
 */
public final class LightweightS3Store implements ObjectStore {
    private final Client client;
    private final String bucket;

    public LightweightS3Store(SharedTierSettings settings) {
        this.bucket = settings.bucket();
        Credentials credentials = settings.sessionToken() == null
                ? Credentials.of(settings.accessKey(), settings.secretKey())
                : Credentials.of(settings.accessKey(), settings.secretKey(), settings.sessionToken());
        String base = settings.endpoint() == null ? null : settings.endpoint().toString().replaceAll("/+$", "") + "/";
        Client.Builder4 builder = Client.s3().region(settings.region()).credentials(credentials)
                .connectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .retryMaxAttempts(1);
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
        Response r = send("PUT", key, object(key).method(HttpMethod.PUT).header("If-None-Match", "*")
                .requestBody(body));
        return switch (r.statusCode()) {
            case 200, 201, 204 -> Created.CREATED;
            case 412 -> Created.EXISTS;
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
        ResponseInputStream in = call("GET", key, object(key)::responseInputStream);
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

    /** Runs a request; the library reports an unreachable store as an UncheckedIOException, made checked here. */
    private static Response send(String operation, String key, Request request) throws IOException {
        return call(operation, key, request::response);
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
