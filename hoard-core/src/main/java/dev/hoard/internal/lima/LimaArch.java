package dev.hoard.internal.lima;

import java.util.List;
import java.util.Locale;

/** Lima's architecture names, and the host's in them. */
public final class LimaArch {
    /** Every arch Lima knows, as templates write them. */
    public static final List<String> ALL = List.of("x86_64", "aarch64", "armv7l", "riscv64", "s390x", "ppc64le");

    private LimaArch() {
    }

    /** The host's arch in Lima's words, from the JVM's {@code os.arch}. */
    public static String host() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            case "arm", "armv7l" -> "armv7l";
            case "ppc64le" -> "ppc64le";
            default -> arch;
        };
    }

    /** {@code arch} checked against Lima's names; {@code default} (and null) is the host's. */
    public static String of(String arch) {
        if (arch == null || arch.equals("default")) {
            return host();
        }
        if (!ALL.contains(arch)) {
            throw new IllegalArgumentException("unknown arch '" + arch + "'; Lima knows " + String.join(", ", ALL));
        }
        return arch;
    }
}
