package dev.hoard;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the shared tier lives: an S3-compatible bucket that a fleet of machines shares, so that each file comes from
 * the origin once (docs/shared-tier.md). Made by {@link #of} with settings read the way the AWS tools read them, or
 * by {@link #fromEnvironment}.
 *
 * @param bucket         the bucket
 * @param prefix         the key prefix inside it, without leading or trailing slash ("" for none)
 * @param endpoint       the store's URL, e.g. {@code http://127.0.0.1:9000}, addressed path-style; null for AWS
 * @param region         the region to sign for
 * @param accessKey      the access key id; never printed or written
 * @param secretKey      the secret access key; never printed or written
 * @param sessionToken   a session token, or null
 * @param connectTimeout how long a connection to the store may take
 * @param requestTimeout how long the store may stay silent in one request; a tier slower than this is skipped
 * @param chunkSize      the size of the chunks content is uploaded in ({@link #DEFAULT_CHUNK_SIZE}): each is one
 *                       PUT that other machines can read the moment it is stored
 * @param maxAttempts    how many times one request is sent when the store answers that it is busy or failed
 *                       (500, 502, 503, 504, 429, {@code SlowDown}) or the connection breaks mid-request, with AWS's
 *                       "standard" backoff in between ({@link #DEFAULT_MAX_ATTEMPTS}, as the AWS tools); a store
 *                       that cannot be reached or stays silent is never retried: the origin is asked instead
 */
public record SharedTierSettings(String bucket, String prefix, URI endpoint, String region, String accessKey,
        String secretKey, String sessionToken, Duration connectTimeout, Duration requestTimeout, int chunkSize,
        int maxAttempts) {

    /** 8 MiB: about 0.1 s of a fast origin, so that waiters trail the download closely, in few requests. */
    public static final int DEFAULT_CHUNK_SIZE = 8 << 20;
    /** 3, as the AWS SDKs' and CLI's "standard" retry mode: a request and two retries. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    public SharedTierSettings {
        if (bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("no bucket given for the shared tier");
        }
        prefix = prefix == null ? "" : strip(prefix);
        if (region == null || region.isBlank()) {
            region = "us-east-1";
        }
        if (accessKey == null || secretKey == null) {
            throw new IllegalArgumentException("no credentials for the shared tier s3://" + bucket
                    + (prefix.isEmpty() ? "" : "/" + prefix) + ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                    + "or a profile in ~/.aws/credentials (AWS_PROFILE)");
        }
        if (connectTimeout == null || requestTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()
                || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("the shared tier's timeouts must be positive");
        }
        if (chunkSize < 64 << 10 || chunkSize > 512 << 20) {
            throw new IllegalArgumentException("the shared tier's chunk size must be 64 KiB to 512 MiB, not "
                    + chunkSize);
        }
        if (maxAttempts < 1 || maxAttempts > 10) {
            throw new IllegalArgumentException("the shared tier's attempts per request must be 1 to 10, not "
                    + maxAttempts);
        }
    }

    /**
     * The tier at {@code location}, {@code s3://BUCKET[/PREFIX]}, through {@code endpoint} (null for AWS), with
     * these credentials; 2 s to connect and 5 s per request.
     */
    public static SharedTierSettings of(String location, URI endpoint, String region, String accessKey,
            String secretKey) {
        URI uri = parseLocation(location);
        return new SharedTierSettings(uri.getHost(), uri.getPath(), endpoint, region, accessKey, secretKey, null,
                Duration.ofSeconds(2), Duration.ofSeconds(5), DEFAULT_CHUNK_SIZE, DEFAULT_MAX_ATTEMPTS);
    }

    /**
     * The tier at {@code location} ({@code s3://BUCKET[/PREFIX]}) with the rest as the AWS command-line tools find
     * it: the endpoint from {@code endpoint} if given, else {@code AWS_ENDPOINT_URL_S3}, else
     * {@code AWS_ENDPOINT_URL}; the region from {@code AWS_REGION}, {@code AWS_DEFAULT_REGION} or the profile's
     * {@code region} in {@code ~/.aws/config}; credentials from {@code AWS_ACCESS_KEY_ID},
     * {@code AWS_SECRET_ACCESS_KEY} and {@code AWS_SESSION_TOKEN}, else from the profile ({@code AWS_PROFILE}, else
     * {@code default}) in {@code ~/.aws/credentials} ({@code AWS_SHARED_CREDENTIALS_FILE}); the attempts per
     * request from {@code AWS_MAX_ATTEMPTS} or the profile's {@code max_attempts}.
     *
     * @throws IllegalArgumentException a malformed location, endpoint or attempt count, or no credentials anywhere
     */
    public static SharedTierSettings fromEnvironment(String location, String endpoint, Map<String, String> env,
            Path home) {
        URI uri = parseLocation(location);
        String endpointText = first(endpoint, env.get("AWS_ENDPOINT_URL_S3"), env.get("AWS_ENDPOINT_URL"));
        URI endpointUri = endpointText == null ? null : parseEndpoint(endpointText);
        String profile = first(env.get("AWS_PROFILE"), "default");
        Path credentialsFile = Path.of(first(env.get("AWS_SHARED_CREDENTIALS_FILE"),
                home.resolve(".aws").resolve("credentials").toString()));
        Path configFile = Path.of(first(env.get("AWS_CONFIG_FILE"), home.resolve(".aws").resolve("config").toString()));
        String accessKey = env.get("AWS_ACCESS_KEY_ID");
        String secretKey = env.get("AWS_SECRET_ACCESS_KEY");
        String token = env.get("AWS_SESSION_TOKEN");
        if (accessKey == null || secretKey == null) {
            Map<String, String> section = iniSection(credentialsFile, profile);
            accessKey = section.get("aws_access_key_id");
            secretKey = section.get("aws_secret_access_key");
            token = section.get("aws_session_token");
        }
        Map<String, String> config = iniSection(configFile,
                "default".equals(profile) ? "default" : "profile " + profile);
        String region = first(env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"), config.get("region"));
        String attemptsVar = first(env.get("AWS_MAX_ATTEMPTS"));
        String attemptsKey = first(config.get("max_attempts"));
        int attempts = attemptsVar != null ? attempts("AWS_MAX_ATTEMPTS", attemptsVar)
                : attemptsKey != null ? attempts(configFile + ": max_attempts", attemptsKey)
                : DEFAULT_MAX_ATTEMPTS;
        return new SharedTierSettings(uri.getHost(), uri.getPath(), endpointUri, region, accessKey, secretKey, token,
                Duration.ofSeconds(2), Duration.ofSeconds(5), DEFAULT_CHUNK_SIZE, attempts);
    }

    /** With other timeouts: to connect, and for one request to answer. */
    public SharedTierSettings timeouts(Duration connect, Duration request) {
        return new SharedTierSettings(bucket, prefix, endpoint, region, accessKey, secretKey, sessionToken, connect,
                request, chunkSize, maxAttempts);
    }

    /** With another chunk size for uploads (64 KiB to 512 MiB); readers take each content's from its record. */
    public SharedTierSettings chunkSize(int bytes) {
        return new SharedTierSettings(bucket, prefix, endpoint, region, accessKey, secretKey, sessionToken,
                connectTimeout, requestTimeout, bytes, maxAttempts);
    }

    /** With another number of attempts per request (1 to 10; 1 sends each once). */
    public SharedTierSettings maxAttempts(int attempts) {
        return new SharedTierSettings(bucket, prefix, endpoint, region, accessKey, secretKey, sessionToken,
                connectTimeout, requestTimeout, chunkSize, attempts);
    }

    /** A count of attempts as {@code source} (a variable, a file's key) gives it, 1 to 10. */
    private static int attempts(String source, String text) {
        int n;
        try {
            n = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1 || n > 10) {
            throw new IllegalArgumentException(source + " must be a whole number from 1 to 10 (attempts per request "
                    + "to the shared tier), not '" + text.strip() + "'");
        }
        return n;
    }

    /** The tier's name as users write it, {@code s3://BUCKET/PREFIX}: what messages show (never a credential). */
    public String location() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    /** Names the location only: the credentials stay out of every log line and exception. */
    @Override
    public String toString() {
        return location() + (endpoint == null ? "" : " at " + endpoint);
    }

    private static URI parseLocation(String location) {
        if (location == null || !location.startsWith("s3://")) {
            throw new IllegalArgumentException("the shared tier must be s3://BUCKET[/PREFIX], not '"
                    + Credentials.redact(String.valueOf(location)) + "'");
        }
        try {
            URI uri = new URI(location);
            if (uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null
                    || uri.getUserInfo() != null) {
                throw new URISyntaxException(location, "expected s3://BUCKET[/PREFIX]");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the shared tier must be s3://BUCKET[/PREFIX], not '"
                    + Credentials.redact(location) + "'");
        }
    }

    private static URI parseEndpoint(String text) {
        try {
            URI uri = new URI(text);
            if (!List.of("http", "https").contains(String.valueOf(uri.getScheme())) || uri.getHost() == null
                    || uri.getUserInfo() != null) {
                throw new URISyntaxException(text, "expected http(s)://HOST[:PORT]");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("the S3 endpoint must be http(s)://HOST[:PORT], not '"
                    + Credentials.redact(text) + "'");
        }
    }

    private static String strip(String prefix) {
        String p = prefix;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    /** The keys of {@code [name]} in an AWS INI file (lower-cased), or none if the file or section is missing. */
    static Map<String, String> iniSection(Path file, String name) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.isReadable(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return values;
        }
        boolean inSection = false;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("[") && line.endsWith("]")) {
                inSection = line.substring(1, line.length() - 1).strip().equals(name);
            } else if (inSection && !line.startsWith("#") && !line.startsWith(";")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    values.put(line.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT),
                            line.substring(eq + 1).strip());
                }
            }
        }
        return values;
    }
}
