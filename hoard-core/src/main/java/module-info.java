/**
 * The hoard library: a download cache for large remote files, shared safely by many processes. Its API is the one
 * package {@code dev.hoard}, starting at {@link dev.hoard.Hoard}; everything under {@code dev.hoard.internal} is
 * hidden from other modules and may change in any release.
 *
 * <p>The module is named after that package, as the usual rule for Java modules has it (its Maven artifact,
 * {@code hoard-core}, is named for the build). The jar works the same on the class path, where the module boundary
 * does not apply and the {@code internal} packages are hidden by name only.
 *
 * <p>The decompression libraries are read only when a request asks for decompression (see
 * {@code dev.hoard.internal.decompress}), but they are ordinary dependencies, always present with the library, so
 * they are plain {@code requires}.
 */
@SuppressWarnings("requires-automatic") // the S3 client below has no module-info of its own
module dev.hoard {
    exports dev.hoard;

    requires org.apache.commons.compress;
    requires org.tukaani.xz;
    requires com.github.luben.zstd_jni;
    requires org.snakeyaml.engine;
    // the shared tier's S3 client: an automatic module, read only by dev.hoard.internal.shared.s3, which is loaded
    // by name when a tier is configured
    requires static com.github.davidmoten.aws_lightweight_client_java;
}
