package dev.hoard.cli;

import dev.hoard.HoardOptions;
import dev.hoard.SharedTierSettings;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The shared tier (docs/shared-tier.md): {@code --shared} and {@code --s3-endpoint}, over HOARD_SHARED and the AWS
 * variables. A mixin of every command that downloads or looks at the tier (get, prefetch, push, ls, prune).
 */
final class SharedTierOptions {

    @Option(names = "--shared", paramLabel = "s3://BUCKET[/PREFIX]", arity = "0..1", fallbackValue = "",
            description = "Share downloads with other machines through this bucket of an S3-compatible store "
                    + "(env HOARD_SHARED): a local miss is fetched from it, or downloaded from the origin once for "
                    + "all machines and stored there. Credentials and region as the AWS tools read them "
                    + "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, ~/.aws/credentials, "
                    + "AWS_REGION, AWS_MAX_ATTEMPTS). Uploads go in chunks of HOARD_SHARED_CHUNK_SIZE (default 8M) "
                    + "that other machines read while the download goes on. A busy store is asked again; if it "
                    + "is down, a warning, and the origin is used. ls and prune: act on the tier instead of the local cache (without a value: "
                    + "HOARD_SHARED's).")
    String shared;

    @Option(names = "--s3-endpoint", paramLabel = "URL",
            description = "The store's URL, e.g. http://ceph.internal:7480 (env AWS_ENDPOINT_URL_S3 or "
                    + "AWS_ENDPOINT_URL); buckets are then addressed path-style. Default: AWS S3.")
    String endpoint;

    /** Whether --shared was given, with or without a value: ls and prune then act on the tier. */
    boolean requested() {
        return shared != null;
    }

    /** The tier to use, or null if neither --shared nor HOARD_SHARED names one. */
    SharedTierSettings settings() {
        Map<String, String> env = System.getenv();
        String location = shared != null && !shared.isEmpty() ? shared : env.get("HOARD_SHARED");
        if (location == null || location.isBlank()) {
            return null;
        }
        SharedTierSettings settings = SharedTierSettings.fromEnvironment(location, endpoint, env,
                Path.of(System.getProperty("user.home")));
        String timeout = env.get("HOARD_SHARED_TIMEOUT"); // undocumented: lets tests of a silent tier stay short
        if (timeout != null) {
            settings = settings.timeouts(new DurationConverter().convert(timeout),
                    new DurationConverter().convert(timeout));
        }
        String chunkSize = env.get("HOARD_SHARED_CHUNK_SIZE");
        if (chunkSize != null && !chunkSize.isBlank()) {
            long bytes;
            try {
                bytes = new SizeConverter().convert(chunkSize);
            } catch (picocli.CommandLine.TypeConversionException e) {
                throw new IllegalArgumentException("HOARD_SHARED_CHUNK_SIZE: " + e.getMessage());
            }
            settings = settings.chunkSize((int) Math.min(bytes, Integer.MAX_VALUE));
        }
        return settings;
    }

    /** {@code options} with the tier, if one is configured. */
    HoardOptions apply(HoardOptions options) {
        SharedTierSettings settings = settings();
        return settings == null ? options : options.shared(settings);
    }
}
